#!/usr/bin/env bash
# Scheduling benchmark: `cargo bench --bench schedule` (generated clusters of
# 1,000 and 5,000 nodes with about 30 pods per node, one thread and all of
# them, identical placements, pods/s and peak RSS), then the end-to-end time
# and peak memory of `drydock schedule` on the largest input.
#
#   NODES=1000,5000     cluster sizes (the pods scale with the nodes)
#   DEPLOYMENTS=300     generated Deployments (plus 20 StatefulSets, 2 DaemonSets)
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-1000,5000}
DEPLOYMENTS=${DEPLOYMENTS:-300}
target=${CARGO_TARGET_DIR:-target}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin drydock
export DRYDOCK_BENCH_NODES=$NODES DRYDOCK_BENCH_DEPLOYMENTS=$DEPLOYMENTS DRYDOCK_BENCH_WRITE=$work
if cargo bench --quiet --bench schedule 2>/dev/null; then
    :
else
    # Not registered as a harness-less bench: run it as an ignored test.
    cargo test --release --quiet --bench schedule -- --ignored --nocapture
fi

nodes=()
while IFS= read -r profile; do
    nodes+=(--nodes "$profile")
done <"$work/profiles.txt"
for threads in 1 2; do
    out=$( { /usr/bin/time -f "%e %U %S %M" "$target/release/drydock" -j "$threads" schedule --format json \
        "$work/workloads.yaml" "${nodes[@]}" >/dev/null; } 2>&1 || true )
    read -r secs user sys kb <<<"$out"
    # CPU time as well: on a shared machine the wall time says little.
    echo "drydock schedule, $threads thread(s): ${secs} s end to end (${user} s user, ${sys} s system), peak RSS $((kb / 1024)) MB"
done
