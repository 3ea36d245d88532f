#!/bin/sh
# The one documented benchmark command (see BENCHMARKS.md). Builds the release binaries, then
# generates synthetic specs of 1k, 10k and 100k requirements under target/bench/ and times
# specbook check / build / diff, the parse and write floors and mdBook. Extra arguments go to
# `xtask bench`, e.g. `bench/run.sh --sizes 1k,10k --runs 7`. The report is written to
# target/bench/results.md and printed.
set -eu
cd "$(dirname "$0")/.."
exec cargo run --release -q -p xtask -- bench "$@"
