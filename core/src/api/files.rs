//! File upload and download.

use bytes::Bytes;
use reqwest::Method;

use super::client::decode_json;
use super::{seg, ApiClient, Body, RequestOptions};
use crate::error::{Error, Result};
use crate::model::{FileInfo, FileUploadResponse};

/// `POST /files` (multipart: `channel_id`, `client_ids`, `files`).
pub async fn upload(
    api: &ApiClient,
    channel_id: &str,
    file_name: &str,
    mime_type: &str,
    data: Vec<u8>,
    client_id: &str,
) -> Result<FileUploadResponse> {
    let part = reqwest::multipart::Part::bytes(data)
        .file_name(file_name.to_owned())
        .mime_str(mime_type)
        .map_err(|_| Error::internal("invalid MIME type for upload"))?;
    let mut form = reqwest::multipart::Form::new().text("channel_id", channel_id.to_owned());
    if !client_id.is_empty() {
        form = form.text("client_ids", client_id.to_owned());
    }
    form = form.part("files", part);
    let options = RequestOptions {
        transfer: true,
        ..RequestOptions::default()
    };
    let raw = api
        .send(Method::POST, "/files", &[], Body::Multipart(form), options)
        .await?;
    decode_json(&raw.body)
}

/// Which rendition of a file to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRendition {
    Original,
    Thumbnail,
    Preview,
}

/// `GET /files/{id}` (or `/thumbnail`, `/preview`), capped at the file limit.
pub async fn download(api: &ApiClient, file_id: &str, rendition: FileRendition) -> Result<Bytes> {
    let suffix = match rendition {
        FileRendition::Original => "",
        FileRendition::Thumbnail => "/thumbnail",
        FileRendition::Preview => "/preview",
    };
    let options = RequestOptions {
        transfer: true,
        max_bytes: Some(api.limits().max_file_bytes),
        ..RequestOptions::default()
    };
    let raw = api
        .send(
            Method::GET,
            &format!("/files/{}{suffix}", seg(file_id)),
            &[],
            Body::Empty,
            options,
        )
        .await?;
    Ok(raw.body)
}

/// `GET /files/{id}/info`.
pub async fn info(api: &ApiClient, file_id: &str) -> Result<FileInfo> {
    api.get(&format!("/files/{}/info", seg(file_id)), &[]).await
}
