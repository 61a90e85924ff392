//! Figure 7: size of the mobile build of the FFI library (`--profile
//! mobile`: opt-level z, fat LTO, stripped), as xtask built it.

use std::path::Path;

use anyhow::Context;

use crate::memory::MIB;
use crate::report::{Better, Figure};

pub fn measure(cdylib: &Path) -> anyhow::Result<Figure> {
    let bytes = std::fs::metadata(cdylib)
        .with_context(|| format!("reading {}", cdylib.display()))?
        .len();
    Ok(Figure::new(
        "cdylib_size_mobile",
        bytes as f64 / MIB,
        "MiB",
        Better::Lower,
    )
    .target(6.0)
    .compared_to(format!(
        "{} ({bytes} bytes), {} release build with --profile mobile",
        cdylib
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("cdylib"),
        std::env::consts::ARCH
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_file_size_in_mib() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libx.so");
        std::fs::write(&path, vec![0u8; 3 << 19]).unwrap();
        let figure = measure(&path).unwrap();
        assert_eq!(figure.value, 1.5);
        assert_eq!(figure.meets_target(), Some(true));
        assert!(figure.comparison.contains("1572864 bytes"));
        assert!(measure(&dir.path().join("missing.so")).is_err());
    }
}
