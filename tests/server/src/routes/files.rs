//! File upload, download, thumbnails and previews.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::ReadableFile;
use crate::ids::Id;
use crate::model::FileInfo;
use crate::shared::Shared;
use crate::state::State as Data;

/// `FileSettings.MaxFileSize` default.
pub const MAX_FILE_SIZE: usize = 100 * 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::new(
        413,
        "api.file.upload_file.too_large_detailed.app_error",
        "Unable to upload file. File is too large.",
    )
}

/// Width and height from a PNG or GIF header; 0 for anything else.
pub fn image_size(data: &[u8]) -> (u32, u32) {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        return (w, h);
    }
    if data.len() >= 10 && data.starts_with(b"GIF8") {
        let w = u16::from_le_bytes([data[6], data[7]]) as u32;
        let h = u16::from_le_bytes([data[8], data[9]]) as u32;
        return (w, h);
    }
    (0, 0)
}

pub fn mime_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

pub fn store_file(state: &mut Data, user: Id, channel: Id, name: &str, data: Bytes) -> Value {
    let now = state.now();
    let id = Id::random();
    let (width, height) = image_size(&data);
    let info = FileInfo {
        id,
        user_id: user,
        channel_id: channel,
        post_id: None,
        create_at: now,
        name: name.to_string(),
        mime_type: mime_for(name).to_string(),
        data,
        width,
        height,
    };
    let json = info.to_json();
    state.files.insert(id, info);
    json
}

#[derive(serde::Deserialize)]
pub struct UploadQuery {
    channel_id: Option<String>,
    filename: Option<String>,
}

pub async fn upload(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(q): Query<UploadQuery>,
    request: Request,
) -> ApiResult<Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut channel = q.channel_id.clone().unwrap_or_default();
    let mut files: Vec<(String, Bytes)> = Vec::new();
    let mut client_ids: Vec<String> = Vec::new();
    if is_multipart {
        let mut multipart = Multipart::from_request(request, &shared)
            .await
            .map_err(|e| ApiError::invalid_param("multipart").detail(e.body_text()))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::invalid_param("multipart").detail(e.body_text()))?
        {
            let name = field.name().unwrap_or("").to_string();
            match name.as_str() {
                "channel_id" => channel = field.text().await.unwrap_or_default(),
                "client_ids" => client_ids.push(field.text().await.unwrap_or_default()),
                "files" => {
                    let filename = field.file_name().unwrap_or("file").to_string();
                    let data = field.bytes().await.map_err(|_| too_large())?;
                    if data.len() > MAX_FILE_SIZE {
                        return Err(too_large());
                    }
                    files.push((filename, data));
                }
                _ => {}
            }
        }
    } else {
        let filename = q
            .filename
            .clone()
            .ok_or_else(|| ApiError::invalid_param("filename"))?;
        let data = axum::body::to_bytes(request.into_body(), MAX_FILE_SIZE)
            .await
            .map_err(|_| too_large())?;
        files.push((filename, data));
    }
    let channel = Id::parse(&channel).ok_or_else(|| ApiError::invalid_param("channel_id"))?;
    if files.is_empty() {
        return Err(ApiError::new(
            400,
            "api.file.upload_file.incorrect_number_of_files.app_error",
            "Unable to upload files. Incorrect number of files specified.",
        ));
    }
    let mut state = shared.state();
    state.channel(channel)?;
    if !state.is_member(channel, auth.user_id) {
        return Err(ApiError::permission("upload_file"));
    }
    let infos: Vec<Value> = files
        .into_iter()
        .map(|(name, data)| store_file(&mut state, auth.user_id, channel, &name, data))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({"file_infos": infos, "client_ids": client_ids})),
    )
        .into_response())
}

fn file_response(info: &FileInfo, inline: bool) -> Response {
    let mut response = Response::new(Body::from(info.data.clone()));
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&info.mime_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        info.name.replace('"', "")
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

pub async fn download(ReadableFile(info): ReadableFile) -> Response {
    file_response(&info, false)
}

fn image_only(info: &FileInfo, what: &str) -> ApiResult<Response> {
    if !info.is_image() {
        return Err(ApiError::new(
            400,
            &format!("api.file.get_file_{what}.no_{what}.app_error"),
            "File doesn't have an image.",
        ));
    }
    Ok(file_response(info, true))
}

pub async fn thumbnail(ReadableFile(info): ReadableFile) -> ApiResult<Response> {
    image_only(&info, "thumbnail")
}

pub async fn preview(ReadableFile(info): ReadableFile) -> ApiResult<Response> {
    image_only(&info, "preview")
}

pub async fn info(ReadableFile(info): ReadableFile) -> Json<Value> {
    Json(info.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_size_is_read_from_the_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_size(&png), (640, 480));
        assert_eq!(image_size(b"not an image"), (0, 0));
    }
}
