//! Writes of pinned and saved posts: the lists as the server has them.

use crate::model::{Post, Preference};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Makes `pinned` the channel's pinned posts: they are upserted, and a
    /// cached post no longer among them (unpinned while this device did
    /// not listen) loses its pin.
    pub fn replace_pinned_posts(&mut self, channel_id: &str, pinned: &[Post]) -> StoreResult<()> {
        self.upsert_posts(pinned.iter())?;
        let ids =
            serde_json::Value::from(pinned.iter().map(|p| p.id.as_str()).collect::<Vec<&str>>())
                .to_string();
        let unpinned = self.conn().execute(
            "UPDATE posts SET is_pinned = 0
             WHERE channel_id = ?1 AND is_pinned = 1
               AND id NOT IN (SELECT value FROM json_each(?2))",
            [channel_id, ids.as_str()],
        )?;
        if unpinned > 0 {
            self.notify(StoreChange::Posts {
                channel_id: channel_id.to_owned(),
            });
        }
        Ok(())
    }
}

impl Writer<'_> {
    /// Takes the server's saved posts: they are upserted and marked saved
    /// (the `flagged_post` preferences). When `complete` (the list was not
    /// cut off by a page limit), posts saved here but not on the server are
    /// no longer saved: this corrects a late echo of an older change.
    pub fn replace_saved_posts(
        &mut self,
        category: &str,
        saved: &[Post],
        complete: bool,
    ) -> StoreResult<()> {
        self.upsert_posts(saved.iter())?;
        if complete {
            let ids =
                serde_json::Value::from(saved.iter().map(|p| p.id.as_str()).collect::<Vec<&str>>())
                    .to_string();
            self.conn().execute(
                "DELETE FROM preferences WHERE category = ?1
                   AND name NOT IN (SELECT value FROM json_each(?2))",
                [category, ids.as_str()],
            )?;
        }
        let marks: Vec<Preference> = saved
            .iter()
            .map(|p| Preference {
                user_id: String::new(),
                category: category.to_owned(),
                name: p.id.clone(),
                value: "true".into(),
            })
            .collect();
        self.upsert_preferences(&marks)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Post;
    use crate::store::{OpenCheck, Store};

    fn post(id: &str, pinned: bool) -> Post {
        Post {
            id: id.into(),
            channel_id: "c1".into(),
            user_id: "u1".into(),
            message: id.into(),
            create_at: 10,
            update_at: 10,
            is_pinned: pinned,
            ..Post::default()
        }
    }

    #[test]
    fn replacing_the_pinned_list_unpins_the_others_of_the_channel_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
        let mut elsewhere = post("e1", true);
        elsewhere.channel_id = "c2".into();
        store
            .write_blocking(|w| w.upsert_posts([&post("old", true), &elsewhere]))
            .unwrap();
        store
            .write_blocking(|w| w.replace_pinned_posts("c1", &[post("new", true)]))
            .unwrap();
        let pinned: Vec<(String, bool)> = store
            .read_blocking(|c| {
                let mut stmt = c.prepare("SELECT id, is_pinned FROM posts ORDER BY id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(
            pinned,
            vec![
                ("e1".to_string(), true),
                ("new".to_string(), true),
                ("old".to_string(), false)
            ]
        );
    }

    #[test]
    fn the_servers_complete_saved_list_corrects_the_local_marks() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
        let mark = |id: &str| crate::model::Preference {
            user_id: "u1".into(),
            category: "flagged_post".into(),
            name: id.into(),
            value: "true".into(),
        };
        store
            .write_blocking(|w| w.upsert_preferences(&[mark("stale"), mark("old")]))
            .unwrap();
        let saved_ids = |store: &Store| -> Vec<String> {
            store
                .read_blocking(|c| {
                    let mut stmt =
                        c.prepare("SELECT name FROM preferences WHERE category = 'flagged_post' ORDER BY name")?;
                    let rows = stmt.query_map([], |r| r.get(0))?;
                    Ok(rows.collect::<Result<_, _>>()?)
                })
                .unwrap()
        };
        store
            .write_blocking(|w| w.replace_saved_posts("flagged_post", &[post("new", false)], false))
            .unwrap();
        assert_eq!(
            saved_ids(&store),
            ["new", "old", "stale"],
            "a cut-off list only adds"
        );
        store
            .write_blocking(|w| w.replace_saved_posts("flagged_post", &[post("new", false)], true))
            .unwrap();
        assert_eq!(saved_ids(&store), ["new"]);
    }
}
