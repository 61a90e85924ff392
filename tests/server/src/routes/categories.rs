//! Sidebar categories: `GET` and `PUT /users/{user_id}/teams/{team_id}/channels/categories`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::extract::{Me, MyTeam};
use crate::shared::Shared;
use crate::sidebar::CategoryUpdate;

use super::parse_body;

/// Categories in display order; `sort_order` counts in tens as the real
/// server's does.
pub async fn categories(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    MyTeam(team): MyTeam,
) -> ApiResult<Json<Value>> {
    let state = shared.state();
    let cats: Vec<Value> = state
        .sidebar_categories(id, team)
        .iter()
        .enumerate()
        .map(|(i, c)| c.to_json(id, team, i as i64 * 10))
        .collect();
    let order: Vec<Value> = cats.iter().map(|c| c["id"].clone()).collect();
    Ok(Json(json!({"categories": cats, "order": order})))
}

/// Updates whole categories and tells the user's devices with
/// `sidebar_category_updated` (the categories as a JSON string).
pub async fn update_categories(
    State(shared): State<Arc<Shared>>,
    Me(id): Me,
    MyTeam(team): MyTeam,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let updates: Vec<CategoryUpdate> = parse_body(&body, "category")?;
    let json = {
        let mut state = shared.state();
        let order: Vec<String> = state
            .sidebar_categories(id, team)
            .into_iter()
            .map(|c| c.id)
            .collect();
        let updated = state
            .update_sidebar_categories(id, team, updates)
            .ok_or_else(|| {
                ApiError::new(
                    500,
                    "app.channel.sidebar_categories.app_error",
                    "Unable to update sidebar categories.",
                )
            })?;
        let position = |cid: &str| order.iter().position(|o| o == cid).unwrap_or(0) as i64;
        updated
            .iter()
            .map(|c| c.to_json(id, team, position(&c.id) * 10))
            .collect::<Vec<Value>>()
    };
    let mut event = Event::to_user(
        "sidebar_category_updated",
        id,
        json!({"updatedCategories": Value::Array(json.clone()).to_string()}),
    );
    event.team_id = Some(team);
    shared.publish(vec![event]);
    Ok(Json(Value::Array(json)))
}
