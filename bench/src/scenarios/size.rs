//! Figure 7: size of the mobile build of the FFI library (`--profile
//! mobile`: opt-level z, fat LTO, stripped), as xtask built it: the full
//! build, and the light build for old phones (the core without its default
//! features) beside it.

use std::path::Path;

use anyhow::Context;

use crate::memory::MIB;
use crate::report::{Better, Figure};

/// The full library's size figure.
pub fn measure(cdylib: &Path) -> anyhow::Result<Figure> {
    let bytes = file_size(cdylib)?;
    Ok(Figure::new(
        "cdylib_size_mobile",
        bytes as f64 / MIB,
        "MiB",
        Better::Lower,
    )
    .target(6.0)
    .compared_to(format!(
        "{} ({bytes} bytes), {} release build with --profile mobile",
        file_name(cdylib),
        std::env::consts::ARCH
    )))
}

/// The light library's size figure, with its share of the full one.
pub fn measure_lite(lite: &Path, full: &Path) -> anyhow::Result<Figure> {
    let bytes = file_size(lite)?;
    let full_bytes = file_size(full)?;
    Ok(Figure::new(
        "cdylib_size_mobile_lite",
        bytes as f64 / MIB,
        "MiB",
        Better::Lower,
    )
    .target(4.0)
    .compared_to(format!(
        "{} ({bytes} bytes), {} with --profile mobile --no-default-features: {:.3} of the full build's {full_bytes} bytes",
        file_name(lite),
        std::env::consts::ARCH,
        bytes as f64 / full_bytes as f64
    )))
}

fn file_size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len())
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("cdylib")
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

    #[test]
    fn the_light_build_is_set_against_the_full_one() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.so");
        let lite = dir.path().join("lite.so");
        std::fs::write(&full, vec![0u8; 5 << 20]).unwrap();
        std::fs::write(&lite, vec![0u8; 2 << 20]).unwrap();
        let figure = measure_lite(&lite, &full).unwrap();
        assert_eq!(figure.name, "cdylib_size_mobile_lite");
        assert_eq!(figure.value, 2.0);
        assert_eq!(figure.meets_target(), Some(true));
        assert!(
            figure
                .comparison
                .contains("0.400 of the full build's 5242880 bytes"),
            "{}",
            figure.comparison
        );
        std::fs::write(&lite, vec![0u8; 9 << 19]).unwrap();
        assert_eq!(
            measure_lite(&lite, &full).unwrap().meets_target(),
            Some(false)
        );
        assert!(measure_lite(&dir.path().join("missing.so"), &full).is_err());
    }
}
