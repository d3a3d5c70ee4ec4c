#!/usr/bin/env bash
# Re-vendors tract-nnef at the version Cargo.lock names and applies tract-nnef.patch (README.md).
# Run after changing tract's version in Cargo.toml and `cargo update -p tract-nnef`.
set -euo pipefail
cd "$(dirname "$0")"
version=$(awk '/^name = "tract-nnef"$/ { getline; gsub(/"/, "", $3); print $3 }' ../Cargo.lock)
# The crate's published source, from crates.io (the registry cargo already uses).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -sSfL "https://static.crates.io/crates/tract-nnef/tract-nnef-$version.crate" | tar xz -C "$work"
rm -rf tract-nnef
mkdir tract-nnef
src="$work/tract-nnef-$version"
cp -r "$src/src" "$src/tests" "$src/Cargo.toml" "$src/stdlib.nnef" "$src"/LICENSE* tract-nnef/
(cd tract-nnef && patch -p1 < ../tract-nnef.patch)
echo "vendored tract-nnef $version with tract-nnef.patch"
