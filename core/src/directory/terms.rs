//! When the school's terms of service must be (re)accepted. Mattermost
//! enforces nothing on the server: a client shows the terms while the
//! client config turns them on (`EnableCustomTermsOfService`, sent only by
//! a licensed server) and the user has not accepted the newest version,
//! or accepted it longer ago than `CustomTermsOfServiceReAcceptancePeriod`
//! days.

use crate::model::{ClientConfig, TermsOfService, User};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether the server requires terms of service at all.
pub fn terms_of_service_enabled(config: &ClientConfig) -> bool {
    config.flag("EnableCustomTermsOfService")
}

/// Whether `user` must accept `latest` before going on, at `now_ms`.
pub fn terms_acceptance_needed(
    config: &ClientConfig,
    latest: &TermsOfService,
    user: &User,
    now_ms: i64,
) -> bool {
    if !terms_of_service_enabled(config) || latest.id.is_empty() {
        return false;
    }
    if user.terms_of_service_id != latest.id {
        return true;
    }
    // A missing or unreadable period never asks again for terms the user
    // accepted.
    let period_days = config
        .get("CustomTermsOfServiceReAcceptancePeriod")
        .and_then(|d| d.trim().parse::<i64>().ok())
        .filter(|d| *d > 0);
    match period_days {
        Some(days) => now_ms - user.terms_of_service_create_at > days.saturating_mul(DAY_MS),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(enabled: bool, period: &str) -> ClientConfig {
        let mut c = ClientConfig::default();
        c.0.insert("EnableCustomTermsOfService".into(), enabled.to_string());
        c.0.insert(
            "CustomTermsOfServiceReAcceptancePeriod".into(),
            period.into(),
        );
        c
    }

    fn terms(id: &str) -> TermsOfService {
        TermsOfService {
            id: id.into(),
            text: "Be kind.".into(),
            ..TermsOfService::default()
        }
    }

    fn accepted(id: &str, at: i64) -> User {
        User {
            terms_of_service_id: id.into(),
            terms_of_service_create_at: at,
            ..User::default()
        }
    }

    #[test]
    fn nothing_is_needed_while_the_server_does_not_require_terms() {
        let user = accepted("", 0);
        assert!(!terms_acceptance_needed(
            &config(false, "365"),
            &terms("t1"),
            &user,
            0
        ));
        assert!(!terms_acceptance_needed(
            &ClientConfig::default(),
            &terms("t1"),
            &user,
            0
        ));
    }

    #[test]
    fn terms_never_accepted_or_replaced_by_a_newer_version_are_needed() {
        let c = config(true, "365");
        assert!(terms_acceptance_needed(
            &c,
            &terms("t1"),
            &accepted("", 0),
            10
        ));
        assert!(terms_acceptance_needed(
            &c,
            &terms("t2"),
            &accepted("t1", 5),
            10
        ));
        assert!(!terms_acceptance_needed(
            &c,
            &terms("t1"),
            &accepted("t1", 5),
            10
        ));
    }

    #[test]
    fn an_acceptance_older_than_the_period_is_asked_again() {
        let c = config(true, "30");
        let at = 1_000;
        let user = accepted("t1", at);
        assert!(!terms_acceptance_needed(
            &c,
            &terms("t1"),
            &user,
            at + 30 * DAY_MS
        ));
        assert!(terms_acceptance_needed(
            &c,
            &terms("t1"),
            &user,
            at + 30 * DAY_MS + 1
        ));
        // No period: accepted stays accepted.
        let never = config(true, "0");
        assert!(!terms_acceptance_needed(
            &never,
            &terms("t1"),
            &user,
            i64::MAX
        ));
    }
}
