//! The push gateway's PostgreSQL tests: a throwaway cluster (the
//! real-server harness's), its URL in `PUSH_GATEWAY_TEST_POSTGRES`, and
//! the gateway's store suite and fault tests run against it. Without the
//! variable those tests skip their PostgreSQL half, so this step is what
//! makes CI run both stores.

use std::os::unix::fs::PermissionsExt;

use anyhow::Result;

use crate::real_server::postgres::Postgres;
use crate::steps::{cargo, run_command};

pub const URL_VARIABLE: &str = "PUSH_GATEWAY_TEST_POSTGRES";

/// The gateway's test binaries that have a PostgreSQL half.
const TESTS: [&str; 2] = ["store_suite", "faults"];

pub fn run() -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("pausenhof-gw-pg-")
        .tempdir()?;
    // The cluster may belong to the `postgres` user, who must get in.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let postgres = Postgres::start(&dir.path().join("pg"))?;
    let url = postgres.create_database("push_gateway")?;
    let mut command = cargo(&test_args());
    command.env(URL_VARIABLE, url);
    let outcome = run_command(command);
    if outcome.is_err() {
        if let Ok(log) = std::fs::read_to_string(postgres.log_file()) {
            eprintln!("PostgreSQL log:\n{log}");
        }
    }
    drop(postgres);
    outcome
}

/// `--workspace` keeps the feature set of the step before, so nothing is
/// rebuilt; only the push gateway has these test targets.
fn test_args() -> Vec<&'static str> {
    let mut args = vec!["test", "--workspace"];
    for test in TESTS {
        args.extend(["--test", test]);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::steps::workspace_root;

    #[test]
    fn every_named_test_binary_exists_and_reads_the_variable() {
        assert_eq!(test_args()[..2], ["test", "--workspace"]);
        for test in TESTS {
            let path = workspace_root()
                .join("push-gateway/tests")
                .join(format!("{test}.rs"));
            let source = std::fs::read_to_string(&path).unwrap();
            assert!(source.contains(URL_VARIABLE), "{}", path.display());
        }
    }
}
