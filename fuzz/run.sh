#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 10), seeded from the fixtures.
# Needs cargo-fuzz and a nightly toolchain: `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
for target in parse_chapter metadata_toml pipeline_html; do
  corpus=corpus/$target
  mkdir -p "$corpus"
  case $target in
    parse_chapter|pipeline_html) find ../tests ../spec -name '*.md' -size -64k -exec cp {} "$corpus/" \; ;;
    metadata_toml) find ../tests ../spec -name '*.toml' -size -64k -exec cp {} "$corpus/" \; ;;
  esac
  echo "== $target for ${seconds}s"
  cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10
done
