//! A team's `allowed_domains`: the email domains whose addresses may join
//! (how the schools keep staff teams to teachers). Written as the server
//! reads it: separated by spaces or commas, with or without `@`; empty
//! means everyone.

/// Whether `email` may join a team restricted to `allowed_domains`.
pub fn email_domain_allowed(email: &str, allowed_domains: &str) -> bool {
    let domains: Vec<String> = allowed_domains
        .to_lowercase()
        .replace(['@', ','], " ")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if domains.is_empty() {
        return true;
    }
    let email = email.trim().to_lowercase();
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    domains.iter().any(|d| d == domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_matched_as_the_server_does() {
        assert!(email_domain_allowed("anna@schule.example", ""));
        assert!(email_domain_allowed("anna@schule.example", "  "));
        assert!(email_domain_allowed(
            "Lehrer@Kollegium.Schule.example",
            "@kollegium.schule.example, verwaltung.example"
        ));
        assert!(email_domain_allowed(
            "x@verwaltung.example",
            "kollegium.schule.example verwaltung.example"
        ));
        assert!(!email_domain_allowed(
            "schueler@schule.example",
            "kollegium.schule.example"
        ));
        // A subdomain is another domain.
        assert!(!email_domain_allowed(
            "a@b.kollegium.schule.example",
            "kollegium.schule.example"
        ));
        assert!(!email_domain_allowed("", "kollegium.schule.example"));
        assert!(!email_domain_allowed("no-at-sign", "x.example"));
    }
}
