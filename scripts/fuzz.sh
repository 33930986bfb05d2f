#!/usr/bin/env bash
# Fuzzes the parsers that read what other servers and users send
# (fuzz/fuzz_targets/, docs/fuzzing.md) for a bounded time each, with
# libFuzzer through cargo-fuzz, on the stable toolchain. Fails on the first
# crash, panic, failed assertion, timeout or memory blow-up, naming the
# input libFuzzer saved and the command that replays it.
#
#   scripts/fuzz.sh                    every target, 20 s each
#   scripts/fuzz.sh 300                every target, 5 minutes each
#   scripts/fuzz.sh 60 sanitize_html   one target
#
# New inputs that reach new code go to fuzz/target/corpus/<target> (not
# committed; kept between local runs); the committed seeds in
# fuzz/corpus/<target> are only read.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=(activity signature_header sanitize_html status_text)
fi

CARGO_FUZZ_VERSION=0.13.2
if [[ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    echo "==> installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# Stable Rust: `--sanitizer none` leaves only stable `-C` flags (coverage
# instrumentation through LLVM's sancov pass); AddressSanitizer would need
# nightly, and Loggia forbids unsafe code, which is what it guards. `--dev`
# with fuzz/Cargo.toml's opt-level 1, rather than cargo fuzz's default of
# `--release` with one codegen unit per crate, keeps the build of Loggia's
# whole dependency tree short (docs/fuzzing.md has the figures).
fuzz_flags=(--dev --sanitizer none)
export CARGO_INCREMENTAL=0

# The targets are code too (the main `cargo fmt --all` does not see them).
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
# fuzz/Cargo.lock is committed: fail if it no longer fits (a dependency
# added to Loggia's Cargo.toml must be added there too).
if ! cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null; then
    echo "fuzz/Cargo.lock is out of date: run 'cargo metadata --format-version 1" \
        "--manifest-path fuzz/Cargo.toml >/dev/null' and commit fuzz/Cargo.lock" >&2
    exit 1
fi
cargo fuzz build "${fuzz_flags[@]}"

for target in "${targets[@]}"; do
    echo "==> fuzzing $target for ${seconds}s"
    corpus="fuzz/target/corpus/$target"
    mkdir -p "$corpus"
    log=$(mktemp)
    # -timeout: an input taking 10 s is a hang, and fails like a crash.
    if cargo fuzz run "${fuzz_flags[@]}" "$target" "$corpus" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        # The last status line (coverage, corpus, executions per second).
        grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
        rm -f "$log"
    else
        # The panic message and the failing input, without the progress lines.
        grep -vE '^#[0-9]+[[:space:]]|^ +[0-9]+: |^ +at ' "$log" | tail -40
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        rm -f "$log"
        echo "FAILED: fuzz target $target"
        if [[ -n "$artifact" ]]; then
            echo "The failing input was saved to $artifact; replay it with:"
            echo "  cargo fuzz run ${fuzz_flags[*]} $target $artifact"
        fi
        exit 1
    fi
done
echo "==> fuzzing found nothing in ${seconds}s per target (${targets[*]})"
