//! File attachments: upload before posting, download for showing, and the
//! user's own data export.

use pausenhof_core::model::FileInfo;
use pausenhof_core::FileRendition as CoreRendition;

use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::runtime::run;
use crate::views::FileAttachment;

/// Which rendition of a file to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FileRendition {
    Original,
    /// A small image for lists.
    Thumbnail,
    /// A larger image for the viewer.
    Preview,
}

#[uniffi::export]
impl Client {
    /// Uploads a file into a channel; attach its `id` with
    /// `send_post_with_files`.
    pub async fn upload_file(
        &self,
        channel_id: String,
        file_name: String,
        mime_type: String,
        data: Vec<u8>,
    ) -> Result<FileAttachment> {
        let core = self.core.clone();
        let uploaded = run(async move {
            core.upload_file(&channel_id, &file_name, &mime_type, data)
                .await
        })
        .await?;
        Ok(uploaded.into())
    }

    /// Downloads a file (capped at the core's file size limit).
    pub async fn download_file(
        &self,
        file_id: String,
        rendition: FileRendition,
    ) -> Result<Vec<u8>> {
        let core = self.core.clone();
        let rendition = match rendition {
            FileRendition::Original => CoreRendition::Original,
            FileRendition::Thumbnail => CoreRendition::Thumbnail,
            FileRendition::Preview => CoreRendition::Preview,
        };
        let bytes = run(async move { core.download_file(&file_id, rendition).await }).await?;
        Ok(bytes.to_vec())
    }

    /// Everything the signed-in user put on the server (GDPR Art. 20), as
    /// JSON text for the user to save or share. Offline it holds the cached
    /// posts and says `"posts_complete": false`.
    pub async fn export_my_data(&self) -> Result<String> {
        let core = self.core.clone();
        let export = run(async move { core.export_my_data().await }).await?;
        serde_json::to_string_pretty(&export).map_err(|error| ClientError::Internal {
            reason: error.to_string(),
        })
    }
}

impl From<FileInfo> for FileAttachment {
    fn from(f: FileInfo) -> Self {
        FileAttachment {
            id: f.id,
            name: f.name,
            extension: f.extension,
            size: f.size,
            mime_type: f.mime_type,
            width: f.width,
            height: f.height,
            has_preview_image: f.has_preview_image,
            mini_preview: f.mini_preview,
        }
    }
}
