#!/bin/sh
# run-fuzz.sh FUZZER CORPUS [SECONDS]: fuzz for VGPU_FUZZ_SECONDS (default SECONDS, else 20)
# on a scratch copy of CORPUS.
# A crash leaves its input in $VGPU_BUILDDIR/fuzz-crashes/: add it to CORPUS as a regression.
set -eu
fuzzer=$1; corpus=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$corpus"/* "$work/"
crashes=${VGPU_BUILDDIR:-.}/fuzz-crashes
mkdir -p "$crashes"
"$fuzzer" -max_total_time="${VGPU_FUZZ_SECONDS:-${3:-20}}" -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix="$crashes/" "$work" 2>"$work.log" || {
    tail -n 40 "$work.log"; rm -f "$work.log"; exit 1; }
grep -E '^Done|#[0-9]+.*DONE' "$work.log" | tail -n 1
rm -f "$work.log"
