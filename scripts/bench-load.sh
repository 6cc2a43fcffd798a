#!/usr/bin/env bash
# Loading benchmark: throughput (cargo bench) and the peak memory of a whole
# `drydock check` run on the same 20 MB stream of realistic manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-20}

cargo build --release --quiet --bin drydock --example gen_manifests
stream=$(mktemp --suffix .yaml)
trap 'rm -f "$stream"' EXIT
target/release/examples/gen_manifests "$MB" > "$stream"
size=$(stat -c %s "$stream")
echo "stream: $size bytes"

DRYDOCK_BENCH_MB=$MB cargo bench --quiet --bench load

for threads in 1 2; do
    best=""
    for _ in 1 2 3; do
        out=$( { /usr/bin/time -f "%e %M" target/release/drydock -j "$threads" check --format json "$stream" >/dev/null; } 2>&1 )
        best=$(printf '%s\n%s\n' "$best" "$out" | sed '/^$/d' | sort -n | head -1)
    done
    secs=${best% *}
    kb=${best#* }
    awk -v s="$secs" -v kb="$kb" -v size="$size" -v t="$threads" 'BEGIN {
        printf "drydock check, %d thread(s): %.2f s (%.1f MB/s end to end), peak RSS %.1f MB = %.2fx the input\n",
            t, s, size / s / 1e6, kb / 1024, kb * 1024 / size }'
done
