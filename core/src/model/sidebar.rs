use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::null_as_default;

/// Kind of sidebar category. Unknown kinds are kept as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum SidebarCategoryType {
    Favorites,
    Channels,
    DirectMessages,
    #[default]
    Custom,
    Other(String),
}

impl SidebarCategoryType {
    pub fn as_str(&self) -> &str {
        match self {
            SidebarCategoryType::Favorites => "favorites",
            SidebarCategoryType::Channels => "channels",
            SidebarCategoryType::DirectMessages => "direct_messages",
            SidebarCategoryType::Custom => "custom",
            SidebarCategoryType::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "favorites" => SidebarCategoryType::Favorites,
            "channels" => SidebarCategoryType::Channels,
            "direct_messages" => SidebarCategoryType::DirectMessages,
            "custom" => SidebarCategoryType::Custom,
            other => SidebarCategoryType::Other(other.to_owned()),
        }
    }
}

impl Serialize for SidebarCategoryType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SidebarCategoryType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(SidebarCategoryType::parse(&String::deserialize(
            deserializer,
        )?))
    }
}

/// A sidebar category with its channels (`model.SidebarCategoryWithChannels`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SidebarCategory {
    pub id: String,
    pub user_id: String,
    pub team_id: String,
    pub sort_order: i64,
    /// "", "alpha", "recent" or "manual".
    pub sorting: String,
    #[serde(rename = "type")]
    pub category_type: SidebarCategoryType,
    pub display_name: String,
    pub muted: bool,
    pub collapsed: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub channel_ids: Vec<String>,
}

/// `GET /users/me/teams/{team_id}/channels/categories`: categories plus
/// their display order (ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SidebarCategoryList {
    #[serde(deserialize_with = "null_as_default")]
    pub categories: Vec<SidebarCategory>,
    #[serde(deserialize_with = "null_as_default")]
    pub order: Vec<String>,
}

impl SidebarCategoryList {
    /// Categories in display order; categories missing from `order` follow
    /// in the order the server sent them.
    pub fn ordered(&self) -> Vec<&SidebarCategory> {
        let mut out: Vec<&SidebarCategory> = self
            .order
            .iter()
            .filter_map(|id| self.categories.iter().find(|c| &c.id == id))
            .collect();
        for c in &self.categories {
            if !self.order.contains(&c.id) {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_categories_in_order() {
        let list: SidebarCategoryList = serde_json::from_str(
            r#"{"categories":[
                {"id":"channels_u1_t1","user_id":"u1","team_id":"t1","sort_order":10,"sorting":"",
                 "type":"channels","display_name":"Channels","muted":false,"collapsed":false,
                 "channel_ids":["c1","c2"]},
                {"id":"favorites_u1_t1","type":"favorites","display_name":"Favorites","channel_ids":null},
                {"id":"x","type":"future_kind"},
                {"id":"dm","type":"direct_messages","channel_ids":["d1"]}],
              "order":["favorites_u1_t1","channels_u1_t1","dm"]}"#,
        )
        .unwrap();
        let ids: Vec<_> = list.ordered().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["favorites_u1_t1", "channels_u1_t1", "dm", "x"]);
        assert_eq!(list.categories[0].channel_ids, ["c1", "c2"]);
        assert_eq!(
            list.categories[2].category_type,
            SidebarCategoryType::Other("future_kind".into())
        );
        assert_eq!(
            serde_json::to_value(&list.categories[3]).unwrap()["type"],
            "direct_messages"
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<SidebarCategoryList>(r#"{"order":"a"}"#).is_err());
        assert!(serde_json::from_str::<SidebarCategory>(r#"{"muted":"no"}"#).is_err());
    }
}
