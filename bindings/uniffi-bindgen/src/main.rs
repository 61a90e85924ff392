//! `uniffi-bindgen`, built from the workspace so the generator always matches
//! the UniFFI version compiled into the cdylib.
//!
//! One extra subcommand, `api-listing <cdylib>`, prints the exported API as
//! Markdown (the source of `bindings/API.md`, which the iOS app is written
//! against because Swift cannot be compiled here).

mod api_listing;

use std::process::ExitCode;

use camino::Utf8PathBuf;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("api-listing") {
        uniffi::uniffi_bindgen_main();
        return ExitCode::SUCCESS;
    }
    let Some(library) = args.get(2) else {
        eprintln!("usage: uniffi-bindgen api-listing <path to cdylib>");
        return ExitCode::FAILURE;
    };
    match api_listing::listing_for_library(&Utf8PathBuf::from(library)) {
        Ok(markdown) => {
            print!("{markdown}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("uniffi-bindgen api-listing: {error:#}");
            ExitCode::FAILURE
        }
    }
}
