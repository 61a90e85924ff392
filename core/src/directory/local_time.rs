//! A person's local time on their profile card, from the timezone their
//! Mattermost profile names (IANA names such as `Europe/Berlin`).

use serde::Serialize;

use crate::model::User;

/// The time where someone is, as their profile card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalTime {
    /// The IANA name, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// 24-hour clock, `HH:MM`.
    pub time: String,
    /// Offset from UTC at that moment (summer time included).
    pub utc_offset_minutes: i32,
}

/// The timezone a profile names: the automatic one unless the user chose
/// a manual one (`useAutomaticTimezone` = "false"). `None` when unset.
pub fn timezone_of(user: &User) -> Option<String> {
    let get = |key: &str| user.timezone.get(key).map(|v| v.trim()).unwrap_or("");
    let automatic = get("useAutomaticTimezone") != "false";
    let chosen = if automatic {
        get("automaticTimezone")
    } else {
        get("manualTimezone")
    };
    (!chosen.is_empty()).then(|| chosen.to_owned())
}

/// The local time in `timezone` at `now_ms` (ms since the epoch). `None`
/// for a name the timezone database does not know.
pub fn local_time_of(timezone: &str, now_ms: i64) -> Option<LocalTime> {
    let tz = jiff::tz::TimeZone::get(timezone).ok()?;
    let at = jiff::Timestamp::from_millisecond(now_ms).ok()?;
    let zoned = at.to_zoned(tz);
    Some(LocalTime {
        timezone: timezone.to_owned(),
        time: zoned.strftime("%H:%M").to_string(),
        utc_offset_minutes: zoned.offset().seconds() / 60,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(automatic: &str, manual: &str, use_automatic: &str) -> User {
        let mut u = User::default();
        u.timezone
            .insert("automaticTimezone".into(), automatic.into());
        u.timezone.insert("manualTimezone".into(), manual.into());
        u.timezone
            .insert("useAutomaticTimezone".into(), use_automatic.into());
        u
    }

    #[test]
    fn the_profile_names_its_timezone() {
        assert_eq!(
            timezone_of(&user("Europe/Berlin", "", "true")).as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(
            timezone_of(&user("Europe/Berlin", "America/New_York", "false")).as_deref(),
            Some("America/New_York")
        );
        assert_eq!(timezone_of(&user("", "", "true")), None);
        assert_eq!(timezone_of(&User::default()), None);
    }

    #[test]
    fn local_time_follows_summer_time() {
        // 2026-01-15 12:00 UTC is 13:00 in Berlin; 2026-07-15 12:00 UTC is 14:00.
        let winter = local_time_of("Europe/Berlin", 1_768_478_400_000).unwrap();
        assert_eq!(
            (winter.time.as_str(), winter.utc_offset_minutes),
            ("13:00", 60)
        );
        let summer = local_time_of("Europe/Berlin", 1_784_116_800_000).unwrap();
        assert_eq!(
            (summer.time.as_str(), summer.utc_offset_minutes),
            ("14:00", 120)
        );
        assert_eq!(local_time_of("Mars/Olympus_Mons", 0), None);
    }
}
