#!/usr/bin/env bash
# The public API of the libraries an embedder depends on (motcua-core, motcua-store), listed in
# <crate>/public-api.txt so that a change to it shows in review. Without arguments, rewrites
# the lists; with --check (CI), fails when the code's API differs from the lists.
#
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain write it.
# Default features only (no `openapi`, no `testing`): what an embedder gets. Its own target
# directory: RUSTC_BOOTSTRAP changes the fingerprints of crates whose build scripts read it,
# and would make the next ordinary build start over.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=target/public-api
check=false
[ "${1:-}" = "--check" ] && check=true
status=0
for crate in motcua-core motcua-store; do
  lib="${crate//-/_}"
  RUSTC_BOOTSTRAP=1 cargo rustdoc -q -p "$crate" --lib -- -Z unstable-options --output-format json
  listed="$crate/public-api.txt"
  if $check; then
    if ! diff -u "$listed" <(python3 scripts/public-api.py "$CARGO_TARGET_DIR/doc/$lib.json") > "$CARGO_TARGET_DIR/$lib-api.diff"; then
      echo "the public API of $crate differs from $listed:" >&2
      cat "$CARGO_TARGET_DIR/$lib-api.diff" >&2
      echo "if the change is meant, run scripts/public-api.sh, review the list and say why in CHANGELOG.md" >&2
      status=1
    fi
  else
    python3 scripts/public-api.py "$CARGO_TARGET_DIR/doc/$lib.json" > "$listed"
    echo "$listed: $(wc -l < "$listed") items"
  fi
done
exit $status
