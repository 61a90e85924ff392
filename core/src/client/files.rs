//! File attachments: uploaded before the post that names them, downloaded
//! for showing.

use bytes::Bytes;

use super::Client;
use crate::api::files::{self, FileRendition};
use crate::error::{Error, Result};
use crate::model::FileInfo;

impl Client {
    /// Uploads a file into a channel; attach its `id` with
    /// [`Client::send_post_with_files`].
    pub async fn upload_file(
        &self,
        channel_id: &str,
        file_name: &str,
        mime_type: &str,
        data: Vec<u8>,
    ) -> Result<FileInfo> {
        let api = self.api()?;
        files::upload(&api, channel_id, file_name, mime_type, data, "")
            .await?
            .file_infos
            .into_iter()
            .next()
            .ok_or_else(|| Error::invalid_response("the upload answer lists no file"))
    }

    /// Downloads a file (capped at the core's file size limit).
    pub async fn download_file(&self, file_id: &str, rendition: FileRendition) -> Result<Bytes> {
        files::download(&self.api()?, file_id, rendition).await
    }
}
