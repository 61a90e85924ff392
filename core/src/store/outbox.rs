//! The outbox table: intents in order, their state, and the local echo
//! each one shows meanwhile.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{StoreChange, StoreResult, Writer};
use crate::model::Post;

/// Props key under which a post carries its client key to the server and
/// back (the server stores props with the post).
pub const CLIENT_KEY_PROP: &str = "pausenhof_client_key";

/// What an intent does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    Post {
        channel_id: String,
        root_id: String,
        message: String,
        file_ids: Vec<String>,
        /// Mattermost's own short-lived dedupe key (`<user_id>:<ms>`),
        /// the same on every attempt.
        pending_post_id: String,
    },
    Edit {
        /// A server post id, or the client key of a post still in the
        /// outbox (resolved when the edit is sent).
        post_id: String,
        message: String,
    },
    Delete {
        post_id: String,
    },
    AddReaction {
        post_id: String,
        emoji_name: String,
    },
    RemoveReaction {
        post_id: String,
        emoji_name: String,
    },
    ViewChannel {
        channel_id: String,
    },
}

impl Intent {
    pub fn kind(&self) -> &'static str {
        match self {
            Intent::Post { .. } => "post",
            Intent::Edit { .. } => "edit",
            Intent::Delete { .. } => "delete",
            Intent::AddReaction { .. } => "add_reaction",
            Intent::RemoveReaction { .. } => "remove_reaction",
            Intent::ViewChannel { .. } => "view_channel",
        }
    }
}

/// Where an intent stands, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SendState {
    /// Waiting for its turn, the network, or the next retry.
    Queued,
    /// A request is (or may be) under way.
    Sending,
    /// The server refused it; the user may retry or discard it.
    Failed { reason: String },
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub seq: i64,
    pub client_key: String,
    pub channel_id: String,
    pub intent: Intent,
    pub state: SendState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub first_attempt_at: i64,
    pub maybe_sent: bool,
    pub created_at: i64,
}

const ENTRY_COLUMNS: &str = "seq, client_key, channel_id, payload, state, attempts, \
     next_attempt_at, first_attempt_at, maybe_sent, last_error, created_at";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Entry>> {
    let payload: String = r.get(3)?;
    // A payload this build cannot read (written by a newer one) is left
    // alone rather than guessed at.
    let Ok(intent) = serde_json::from_slice::<Intent>(payload.as_bytes()) else {
        return Ok(None);
    };
    let state: String = r.get(4)?;
    let last_error: String = r.get(9)?;
    let state = match state.as_str() {
        "sending" => SendState::Sending,
        "failed" => SendState::Failed { reason: last_error },
        _ => SendState::Queued,
    };
    Ok(Some(Entry {
        seq: r.get(0)?,
        client_key: r.get(1)?,
        channel_id: r.get(2)?,
        intent,
        state,
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        first_attempt_at: r.get(7)?,
        maybe_sent: r.get(8)?,
        created_at: r.get(10)?,
    }))
}

/// Every entry, oldest first.
pub fn entries(conn: &Connection) -> StoreResult<Vec<Entry>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM outbox ORDER BY seq"))?;
    let rows = stmt.query_map([], entry_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(entry) = row? {
            out.push(entry);
        }
    }
    Ok(out)
}

pub fn entry(conn: &Connection, client_key: &str) -> StoreResult<Option<Entry>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE client_key = ?1"
        ))?
        .query_row([client_key], entry_from_row)
        .optional()?
        .flatten())
}

/// The send states of local echoes among `post_ids` (for timeline views).
pub fn echo_states(
    conn: &Connection,
    post_ids: &[&str],
) -> StoreResult<std::collections::HashMap<String, SendState>> {
    let ids = serde_json::Value::from(post_ids.to_vec()).to_string();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox
         WHERE kind = 'post' AND client_key IN (SELECT value FROM json_each(?1))"
    ))?;
    let rows = stmt.query_map([ids], entry_from_row)?;
    let mut out = std::collections::HashMap::new();
    for row in rows {
        if let Some(e) = row? {
            out.insert(e.client_key, e.state);
        }
    }
    Ok(out)
}

/// The entry to work on next: the oldest unfinished entry of each channel
/// (failed ones do not hold up the rest), the one due first.
pub fn next_due(conn: &Connection) -> StoreResult<Option<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox o
         WHERE state <> 'failed'
           AND seq = (SELECT min(seq) FROM outbox i
                      WHERE i.channel_id = o.channel_id AND i.state <> 'failed')
         ORDER BY next_attempt_at, seq LIMIT 1"
    ))?;
    Ok(stmt.query_row([], entry_from_row).optional()?.flatten())
}

/// The id a post has on the server: itself, or for a client key the id of
/// the server copy that replaced the echo. `None` while it is not sent.
pub fn server_post_id(conn: &Connection, id: &str) -> StoreResult<Option<String>> {
    let pending: bool = conn
        .prepare_cached("SELECT 1 FROM outbox WHERE client_key = ?1 AND kind = 'post'")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some();
    if !pending {
        let exists = conn
            .prepare_cached("SELECT 1 FROM posts WHERE id = ?1")?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some();
        if exists {
            return Ok(Some(id.to_owned()));
        }
    }
    Ok(conn
        .prepare_cached(
            "SELECT id FROM posts
             WHERE props LIKE '%' || ?1 || '%' AND json_valid(props)
               AND json_extract(props, '$.pausenhof_client_key') = ?1 AND id <> ?1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The channel of a post (or local echo) in the store.
pub fn post_channel(conn: &Connection, post_id: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT channel_id FROM posts WHERE id = ?1")?
        .query_row([post_id], |r| r.get(0))
        .optional()?)
}

/// Whether a "channel viewed" for the channel waits unsent already.
pub fn view_queued(conn: &Connection, channel_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE kind = 'view_channel' AND channel_id = ?1
               AND state = 'queued' AND maybe_sent = 0",
        )?
        .exists([channel_id])?)
}

/// The posts the user deleted whose delete is still queued, by the id the
/// intent names (a server id, or the client key of a post that was still
/// being sent), with the moment of the delete.
pub fn queued_deletes(conn: &Connection) -> StoreResult<HashMap<String, i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT json_extract(payload, '$.post_id'), created_at FROM outbox
         WHERE kind = 'delete'",
    )?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether an intent may be dropped: failed, or queued and certainly not
/// sent yet.
pub fn discardable(conn: &Connection, client_key: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE client_key = ?1
               AND (state = 'failed' OR (state = 'queued' AND maybe_sent = 0))",
        )?
        .exists([client_key])?)
}

impl Writer<'_> {
    /// The user's edit, shown at once (the server's copy follows).
    pub fn edit_post_locally(&mut self, post_id: &str, message: &str, at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE posts SET message = ?2, edit_at = ?3,
                     update_at = max(update_at, ?3) WHERE id = ?1",
            )?
            .execute(rusqlite::params![post_id, message, at])?;
        Ok(())
    }

    /// A failed intent goes back to the queue, due at `now`.
    pub fn requeue_failed(&mut self, client_key: &str, now: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, last_error = ''
                 WHERE client_key = ?1 AND state = 'failed'",
            )?
            .execute(rusqlite::params![client_key, now])?;
        Ok(())
    }

    /// Every queued intent waiting for a later retry is due now (the
    /// network came back).
    pub fn make_queued_due(&mut self, now: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET next_attempt_at = ?1
                 WHERE state = 'queued' AND next_attempt_at > ?1",
            )?
            .execute([now])?;
        Ok(())
    }

    /// Appends an intent.
    pub fn enqueue_intent(
        &mut self,
        client_key: &str,
        channel_id: &str,
        intent: &Intent,
        now: i64,
    ) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO outbox (client_key, kind, channel_id, payload, created_at,
                     next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(rusqlite::params![
                client_key,
                intent.kind(),
                channel_id,
                serde_json::to_string(intent)?,
                now
            ])?;
        self.notify_outbox(channel_id);
        Ok(())
    }

    /// Records that a request is about to leave: from now on the intent may
    /// have been carried out until the server says otherwise.
    pub fn mark_sending(&mut self, client_key: &str, now: i64) -> StoreResult<()> {
        let channel = self.outbox_channel(client_key)?;
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'sending', maybe_sent = 1, attempts = attempts + 1,
                     first_attempt_at = CASE WHEN first_attempt_at = 0 THEN ?2
                                             ELSE first_attempt_at END
                 WHERE client_key = ?1",
            )?
            .execute(rusqlite::params![client_key, now])?;
        if let Some(channel) = channel {
            self.notify_outbox(&channel);
        }
        Ok(())
    }

    /// Back to the queue until `next_attempt_at`. `maybe_sent` records
    /// whether any attempt so far may have reached the server.
    pub fn reschedule(
        &mut self,
        client_key: &str,
        next_attempt_at: i64,
        maybe_sent: bool,
        reason: &str,
    ) -> StoreResult<()> {
        let channel = self.outbox_channel(client_key)?;
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, maybe_sent = ?3,
                     last_error = ?4
                 WHERE client_key = ?1",
            )?
            .execute(rusqlite::params![
                client_key,
                next_attempt_at,
                maybe_sent,
                reason
            ])?;
        if let Some(channel) = channel {
            self.notify_outbox(&channel);
        }
        Ok(())
    }

    /// A replacement `pending_post_id` (the old one was taken by another
    /// post within the server's dedupe window).
    pub fn replace_intent(&mut self, client_key: &str, intent: &Intent) -> StoreResult<()> {
        self.conn()
            .prepare_cached("UPDATE outbox SET payload = ?2 WHERE client_key = ?1")?
            .execute(rusqlite::params![
                client_key,
                serde_json::to_string(intent)?
            ])?;
        Ok(())
    }

    /// The server refused the intent. `maybe_sent` is what was known
    /// before the refused attempt: a refusal proves that attempt did
    /// nothing, so only an earlier uncertain one makes a retry verify first
    /// (and keeps a discard from dropping what may be on the server).
    pub fn mark_failed(
        &mut self,
        client_key: &str,
        reason: &str,
        maybe_sent: bool,
    ) -> StoreResult<()> {
        let channel = self.outbox_channel(client_key)?;
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'failed', last_error = ?2, maybe_sent = ?3
                 WHERE client_key = ?1",
            )?
            .execute(rusqlite::params![client_key, reason, maybe_sent])?;
        if let Some(channel) = channel {
            self.notify_outbox(&channel);
        }
        Ok(())
    }

    /// Drops what is queued for a post (reactions to it and edits, by its
    /// client key) and the replies queued to it, with what is queued for
    /// those and their echoes: the post was deleted before it was ever
    /// sent, so none of it could reach the server, and a reply naming it
    /// would be refused.
    pub fn drop_intents_on_post(&mut self, post_id: &str) -> StoreResult<()> {
        let channel = self.outbox_channel(post_id)?;
        let replies: Vec<String> = {
            let mut statement = self.conn().prepare_cached(
                "SELECT client_key FROM outbox
                 WHERE kind = 'post' AND json_extract(payload, '$.root_id') = ?1",
            )?;
            let rows = statement.query_map([post_id], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for reply in replies {
            self.drop_intents_on_post(&reply)?;
            self.finish_intent(&reply)?;
        }
        self.conn()
            .prepare_cached("DELETE FROM outbox WHERE json_extract(payload, '$.post_id') = ?1")?
            .execute([post_id])?;
        if let Some(channel) = channel {
            self.notify_outbox(&channel);
        }
        Ok(())
    }

    /// The intent is done (or discarded): the row goes, and for a post the
    /// local echo with it.
    pub fn finish_intent(&mut self, client_key: &str) -> StoreResult<()> {
        let channel = self.outbox_channel(client_key)?;
        let conn = self.conn();
        conn.prepare_cached(
            "DELETE FROM posts WHERE id = ?1
               AND EXISTS (SELECT 1 FROM outbox WHERE client_key = ?1 AND kind = 'post')",
        )?
        .execute([client_key])?;
        conn.prepare_cached("DELETE FROM outbox WHERE client_key = ?1")?
            .execute([client_key])?;
        if let Some(channel) = channel {
            self.notify_outbox(&channel);
        }
        Ok(())
    }

    /// Writes the local echo of a post about to be sent.
    pub fn write_echo(&mut self, echo: &Post) -> StoreResult<()> {
        self.upsert_posts(std::iter::once(echo))
    }

    fn outbox_channel(&self, client_key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT channel_id FROM outbox WHERE client_key = ?1")?
            .query_row([client_key], |r| r.get(0))
            .optional()?)
    }

    /// Send states show in the channel's timeline.
    fn notify_outbox(&mut self, channel_id: &str) {
        self.notify(StoreChange::Posts {
            channel_id: channel_id.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::store;

    fn post_intent(channel: &str, message: &str) -> Intent {
        Intent::Post {
            channel_id: channel.into(),
            root_id: String::new(),
            message: message.into(),
            file_ids: Vec::new(),
            pending_post_id: format!("me:{message}"),
        }
    }

    #[test]
    fn each_channel_goes_in_order_and_a_failed_entry_does_not_hold_it_up() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| {
                w.enqueue_intent("a1", "ca", &post_intent("ca", "a1"), 10)?;
                w.enqueue_intent("b1", "cb", &post_intent("cb", "b1"), 11)?;
                w.enqueue_intent("a2", "ca", &post_intent("ca", "a2"), 12)
            })
            .unwrap();
        let next = |s: &crate::store::Store| {
            s.read_blocking(next_due)
                .unwrap()
                .map(|e| e.client_key)
                .unwrap_or_default()
        };
        assert_eq!(next(&store), "a1");
        // a1 waits for a retry later than b1's turn: b1 goes first, a2
        // still waits behind a1.
        store
            .write_blocking(|w| w.reschedule("a1", 100, true, "timeout"))
            .unwrap();
        assert_eq!(next(&store), "b1");
        store.write_blocking(|w| w.finish_intent("b1")).unwrap();
        assert_eq!(next(&store), "a1");
        // The timed-out attempt before the refusal may have reached the
        // server: the worker passes that on, and it must survive.
        store
            .write_blocking(|w| w.mark_failed("a1", "forbidden", true))
            .unwrap();
        assert_eq!(next(&store), "a2");
        let all = store.read_blocking(entries).unwrap();
        assert_eq!(
            all[0].state,
            SendState::Failed {
                reason: "forbidden".into()
            }
        );
        assert!(all[0].maybe_sent);
    }

    #[test]
    fn sending_is_recorded_before_the_request_and_the_first_attempt_is_kept() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| {
                w.enqueue_intent("k", "c", &post_intent("c", "x"), 1)?;
                w.mark_sending("k", 50)?;
                w.reschedule("k", 60, true, "cut")?;
                w.mark_sending("k", 70)
            })
            .unwrap();
        let e = store.read_blocking(|c| entry(c, "k")).unwrap().unwrap();
        assert_eq!(e.state, SendState::Sending);
        assert!(e.maybe_sent);
        assert_eq!(e.attempts, 2);
        assert_eq!(e.first_attempt_at, 50);
    }

    /// The kill test found this: a post deleted while its send was under
    /// way came back live with its server copy, was reacted to, and the
    /// reaction failed on the server after the queued delete went first.
    #[test]
    fn a_post_deleted_before_its_server_copy_arrived_stays_deleted() {
        let (_dir, store) = store();
        let mut echo = crate::store::fixtures::post("k1", "c", "me", 5, "hi");
        echo.props.insert(CLIENT_KEY_PROP.into(), "k1".into());
        let own = crate::store::fixtures::post("p2", "c", "me", 7, "mine");
        store
            .write_blocking(|w| {
                w.enqueue_intent("k1", "c", &post_intent("c", "hi"), 5)?;
                w.write_echo(&echo)?;
                w.upsert_posts(std::iter::once(&own))?;
                // The user deletes the echo (its send is under way) and p2.
                w.mark_post_deleted("k1", 8)?;
                w.enqueue_intent(
                    "d1",
                    "c",
                    &Intent::Delete {
                        post_id: "k1".into(),
                    },
                    8,
                )?;
                w.mark_post_deleted("p2", 9)?;
                w.enqueue_intent(
                    "d2",
                    "c",
                    &Intent::Delete {
                        post_id: "p2".into(),
                    },
                    9,
                )
            })
            .unwrap();
        // The server copies arrive (the send's answer, a catch-up), both
        // live: the deletes have not reached the server yet.
        let mut sent = crate::store::fixtures::post("p1", "c", "me", 6, "hi");
        sent.props.insert(CLIENT_KEY_PROP.into(), "k1".into());
        let mut own_again = own.clone();
        own_again.update_at = 10;
        let other = crate::store::fixtures::post("p3", "c", "them", 11, "theirs");
        store
            .write_blocking(|w| w.upsert_posts([&sent, &own_again, &other]))
            .unwrap();
        let delete_at = |id: &'static str| {
            store
                .read_blocking(move |c| {
                    Ok(
                        c.query_row("SELECT delete_at FROM posts WHERE id = ?1", [id], |r| {
                            r.get::<_, i64>(0)
                        })?,
                    )
                })
                .unwrap()
        };
        assert_eq!(delete_at("p1"), 8, "the sent copy of a deleted echo");
        assert_eq!(delete_at("p2"), 9, "a deleted post whose delete is queued");
        assert_eq!(delete_at("p3"), 0, "a post nobody deleted");
        // Once a delete is done, the server's copies speak for the post.
        store.write_blocking(|w| w.finish_intent("d2")).unwrap();
        let left = store.read_blocking(queued_deletes).unwrap();
        assert_eq!(left.keys().collect::<Vec<_>>(), ["k1"]);
    }

    /// Also from the kill test: a reply confirmed after its root was
    /// deleted here came in live, was reacted to, and the reaction failed
    /// once the root's delete had taken the thread on the server.
    #[test]
    fn a_reply_whose_root_is_deleted_here_arrives_deleted() {
        let (_dir, store) = store();
        let root = crate::store::fixtures::post("r1", "c", "me", 5, "root");
        store
            .write_blocking(|w| {
                w.upsert_posts(std::iter::once(&root))?;
                w.mark_post_deleted("r1", 8)?;
                w.enqueue_intent(
                    "d1",
                    "c",
                    &Intent::Delete {
                        post_id: "r1".into(),
                    },
                    8,
                )
            })
            .unwrap();
        let mut reply = crate::store::fixtures::post("p1", "c", "me", 6, "reply");
        reply.root_id = "r1".into();
        let mut elsewhere = crate::store::fixtures::post("p2", "c", "me", 7, "other");
        elsewhere.root_id = "r2".into();
        store
            .write_blocking(|w| w.upsert_posts([&reply, &elsewhere]))
            .unwrap();
        let live: Vec<String> = store
            .read_blocking(|c| {
                let mut s = c.prepare("SELECT id FROM posts WHERE delete_at = 0 ORDER BY id")?;
                let rows = s.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(live, ["p2"]);
    }

    /// And: a reply queued to a root that is deleted before it was sent
    /// went out naming the root's client key, which the server refused.
    #[test]
    fn dropping_an_unsent_root_drops_the_replies_queued_to_it() {
        let (_dir, store) = store();
        let mut reply = post_intent("c", "reply");
        if let Intent::Post { root_id, .. } = &mut reply {
            *root_id = "k1".into();
        }
        let mut reply_echo = crate::store::fixtures::post("k2", "c", "me", 6, "reply");
        reply_echo.root_id = "k1".into();
        store
            .write_blocking(|w| {
                w.enqueue_intent("k1", "c", &post_intent("c", "root"), 5)?;
                w.write_echo(&crate::store::fixtures::post("k1", "c", "me", 5, "root"))?;
                w.enqueue_intent("k2", "c", &reply, 6)?;
                w.write_echo(&reply_echo)?;
                let react = Intent::AddReaction {
                    post_id: "k2".into(),
                    emoji_name: "+1".into(),
                };
                w.enqueue_intent("k3", "c", &react, 7)?;
                w.enqueue_intent("k4", "c", &post_intent("c", "unrelated"), 8)
            })
            .unwrap();
        store
            .write_blocking(|w| {
                w.drop_intents_on_post("k1")?;
                w.finish_intent("k1")
            })
            .unwrap();
        let left: Vec<String> = store
            .read_blocking(entries)
            .unwrap()
            .into_iter()
            .map(|e| e.client_key)
            .collect();
        assert_eq!(left, ["k4"]);
        let echoes: i64 = store
            .read_blocking(|c| Ok(c.query_row("SELECT count(*) FROM posts", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(echoes, 0);
    }

    #[test]
    fn client_keys_resolve_to_the_server_copy() {
        let (_dir, store) = store();
        let mut echo = crate::store::fixtures::post("k1", "c", "me", 5, "hi");
        echo.props.insert(CLIENT_KEY_PROP.into(), "k1".into());
        store
            .write_blocking(|w| {
                w.enqueue_intent("k1", "c", &post_intent("c", "hi"), 5)?;
                w.write_echo(&echo)
            })
            .unwrap();
        assert_eq!(
            store.read_blocking(|c| server_post_id(c, "k1")).unwrap(),
            None
        );
        let states = store
            .read_blocking(|c| echo_states(c, &["k1", "other"]))
            .unwrap();
        assert_eq!(states.get("k1"), Some(&SendState::Queued));
        let mut real = crate::store::fixtures::post("p1", "c", "me", 6, "hi");
        real.props.insert(CLIENT_KEY_PROP.into(), "k1".into());
        store
            .write_blocking(|w| w.upsert_posts(std::iter::once(&real)))
            .unwrap();
        assert_eq!(
            store.read_blocking(|c| server_post_id(c, "k1")).unwrap(),
            Some("p1".into())
        );
        assert_eq!(
            store.read_blocking(|c| server_post_id(c, "p1")).unwrap(),
            Some("p1".into())
        );
        assert!(store.read_blocking(entries).unwrap().is_empty());
    }
}
