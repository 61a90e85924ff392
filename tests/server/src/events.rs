//! Websocket events as the state produces them, before they are numbered per
//! connection.

use serde_json::{json, Map, Value};

use crate::ids::Id;

/// One event and who receives it.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: &'static str,
    pub data: Value,
    pub channel_id: Option<Id>,
    pub team_id: Option<Id>,
    /// Set for events that go to one user (`broadcast.user_id`).
    pub user_id: Option<Id>,
    /// Every user whose sockets get the event.
    pub recipients: Vec<Id>,
    pub omit_users: Vec<Id>,
}

impl Event {
    pub fn to_user(name: &'static str, user_id: Id, data: Value) -> Event {
        Event {
            name,
            data,
            channel_id: None,
            team_id: None,
            user_id: Some(user_id),
            recipients: vec![user_id],
            omit_users: Vec::new(),
        }
    }

    pub fn to_channel(name: &'static str, channel_id: Id, members: Vec<Id>, data: Value) -> Event {
        Event {
            name,
            data,
            channel_id: Some(channel_id),
            team_id: None,
            user_id: None,
            recipients: members,
            omit_users: Vec::new(),
        }
    }

    pub fn omit(mut self, user: Id) -> Event {
        self.omit_users.push(user);
        self
    }

    pub fn should_reach(&self, user: Id) -> bool {
        self.recipients.contains(&user) && !self.omit_users.contains(&user)
    }

    /// The event's JSON without its `seq`; the hub appends the sequence
    /// number per connection.
    pub fn render_without_seq(&self) -> String {
        let omit = if self.omit_users.is_empty() {
            Value::Null
        } else {
            Value::Object(
                self.omit_users
                    .iter()
                    .map(|u| (u.to_string(), Value::Bool(true)))
                    .collect::<Map<String, Value>>(),
            )
        };
        let id_or_empty = |id: &Option<Id>| id.map(|i| i.to_string()).unwrap_or_default();
        json!({
            "event": self.name,
            "data": self.data,
            "broadcast": {
                "omit_users": omit,
                "user_id": id_or_empty(&self.user_id),
                "channel_id": id_or_empty(&self.channel_id),
                "team_id": id_or_empty(&self.team_id),
                "connection_id": "",
                "omit_connection_id": "",
            },
        })
        .to_string()
    }
}

/// Appends `"seq":N` to an event rendered by [`Event::render_without_seq`].
pub fn with_seq(rendered: &str, seq: i64) -> String {
    let body = rendered.strip_suffix('}').unwrap_or(rendered);
    format!("{body},\"seq\":{seq}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_is_appended_to_valid_json() {
        let a = Id::random();
        let e = Event::to_user("hello", a, json!({"x": 1})).omit(Id::random());
        let s = with_seq(&e.render_without_seq(), 7);
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["seq"], 7);
        assert_eq!(v["event"], "hello");
        assert_eq!(v["broadcast"]["user_id"], a.to_string());
        assert!(v["broadcast"]["omit_users"].is_object());
    }

    #[test]
    fn omitted_users_are_not_reached() {
        let a = Id::random();
        let b = Id::random();
        let e = Event::to_channel("posted", Id::random(), vec![a, b], json!({})).omit(a);
        assert!(!e.should_reach(a));
        assert!(e.should_reach(b));
    }
}
