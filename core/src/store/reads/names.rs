use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::store::StoreResult;

/// A user as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub id: String,
    pub username: String,
    /// Full name, else nickname, else username.
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub is_bot: bool,
    pub deactivated: bool,
}

/// The name to show for a person: the schools use real names.
pub(crate) fn person_name(first: &str, last: &str, nickname: &str, username: &str) -> String {
    let full = format!("{} {}", first.trim(), last.trim());
    let full = full.trim();
    if !full.is_empty() {
        full.to_owned()
    } else if !nickname.trim().is_empty() {
        nickname.trim().to_owned()
    } else {
        username.to_owned()
    }
}

pub fn user(conn: &Connection, user_id: &str) -> StoreResult<Option<UserView>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, username, first_name, last_name, nickname, position, is_bot, delete_at
             FROM users WHERE id = ?1",
        )?
        .query_row([user_id], |r| {
            let username: String = r.get(1)?;
            let first_name: String = r.get(2)?;
            let last_name: String = r.get(3)?;
            let nickname: String = r.get(4)?;
            Ok(UserView {
                id: r.get(0)?,
                display_name: person_name(&first_name, &last_name, &nickname, &username),
                username,
                first_name,
                last_name,
                nickname,
                position: r.get(5)?,
                is_bot: r.get(6)?,
                deactivated: r.get::<_, i64>(7)? > 0,
            })
        })
        .optional()?)
}

/// Display name of a user by id, or None when the user is not cached.
pub(crate) fn name_of(conn: &Connection, user_id: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT first_name, last_name, nickname, username FROM users WHERE id = ?1",
        )?
        .query_row([user_id], |r| {
            Ok(person_name(
                &r.get::<_, String>(0)?,
                &r.get::<_, String>(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
            ))
        })
        .optional()?)
}

/// Display name of a user by username, falling back to the username.
pub(crate) fn name_of_username(conn: &Connection, username: &str) -> StoreResult<String> {
    Ok(conn
        .prepare_cached(
            "SELECT first_name, last_name, nickname, username FROM users WHERE username = ?1",
        )?
        .query_row([username], |r| {
            Ok(person_name(
                &r.get::<_, String>(0)?,
                &r.get::<_, String>(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
            ))
        })
        .optional()?
        .unwrap_or_else(|| username.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_wins_then_nickname_then_username() {
        assert_eq!(
            person_name("Anna", "Schmidt", "Anni", "anna"),
            "Anna Schmidt"
        );
        assert_eq!(person_name(" Anna ", "", "Anni", "anna"), "Anna");
        assert_eq!(person_name("", " ", "Anni", "anna"), "Anni");
        assert_eq!(person_name("", "", "", "anna"), "anna");
    }
}
