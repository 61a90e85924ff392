#!/usr/bin/env bash
# Builds what the Xcode project links, on a Mac with Xcode and rustup:
#   build/ios/PausenhofFFI.xcframework   the core as a static library for
#                                        devices and the simulator (arm64 + x86_64)
#   build/bindings/swift/                the Swift bindings generated from it
# Run from anywhere; `--release` builds the optimised library.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_profile=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_profile=(--release)
fi

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
# The deployment target of the app: the core must not use newer system calls.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
for target in "${targets[@]}"; do
  cargo rustc -p pausenhof-ffi --lib --crate-type staticlib --target "$target" "${cargo_profile[@]}"
done

target_dir="${CARGO_TARGET_DIR:-target}"
# The bindings come from the host build of the same crate (same UniFFI metadata).
cargo xtask bindings

out=build/ios
rm -rf "$out"
mkdir -p "$out/headers" "$out/sim"
cp build/bindings/swift/PausenhofFFIFFI.h "$out/headers/"
cp build/bindings/swift/PausenhofFFIFFI.modulemap "$out/headers/module.modulemap"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/libpausenhof_ffi.a" \
  "$target_dir/x86_64-apple-ios/$profile/libpausenhof_ffi.a" \
  -output "$out/sim/libpausenhof_ffi.a"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/$profile/libpausenhof_ffi.a" -headers "$out/headers" \
  -library "$out/sim/libpausenhof_ffi.a" -headers "$out/headers" \
  -output "$out/PausenhofFFI.xcframework"
echo "built $out/PausenhofFFI.xcframework ($profile)"
