#!/usr/bin/env bash
# Render benchmark: `drydock build` side by side with `kubectl kustomize` on a
# generated kustomize monorepo (examples/gen_monorepo.rs), at two sizes.
#
# For each size and environment root it checks that both outputs are byte
# identical (and fails, showing the first difference, when they are not),
# then measures the median wall time (hyperfine when installed, else a loop)
# and the peak RSS (GNU time when installed, else getrusage from Python).
#
#   SIZES="100 300"      apps per monorepo
#   ENVS=prod            environment roots to build (dev, staging, prod)
#   RUNS=10              timed runs of drydock
#   KUBECTL_RUNS=3       timed runs of kubectl (slow on the large tree)
#   KEEP=DIR             generate into DIR and keep it
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100 300"}
ENVS=${ENVS:-prod}
RUNS=${RUNS:-10}
KUBECTL_RUNS=${KUBECTL_RUNS:-3}

command -v kubectl >/dev/null || { echo "bench-render: kubectl is not installed" >&2; exit 2; }
cargo build --release --quiet --bin drydock --example gen_monorepo
drydock=$PWD/target/release/drydock
gen=$PWD/target/release/examples/gen_monorepo

if [[ -n ${KEEP:-} ]]; then
    work=$KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

have_hyperfine=$(command -v hyperfine >/dev/null && echo 1 || echo 0)
have_gnu_time=$([[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 && echo 1 || echo 0)

# run_to OUT RSSFILE CMD... : runs CMD once, stdout to OUT, peak RSS (KiB) to RSSFILE.
run_to() {
    local out=$1 rss=$2
    shift 2
    if [[ $have_gnu_time == 1 ]]; then
        /usr/bin/time -f %M -o "$rss" "$@" >"$out" 2>/dev/null
    else
        python3 - "$out" "$rss" "$@" <<'EOF'
import resource, subprocess, sys
out, rss, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as f:
    subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=True)
with open(rss, "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
    fi
}

# median_secs RUNS CMD... : the median wall time of RUNS runs, in seconds.
median_secs() {
    local runs=$1
    shift
    if [[ $have_hyperfine == 1 ]]; then
        local json
        json=$(mktemp)
        hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$json" \
            -- "$(printf '%q ' "$@")" >/dev/null
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$json"
        rm -f "$json"
    else
        local i start end
        for ((i = 0; i < runs; i++)); do
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1
            end=$(date +%s%N)
            echo $(((end - start) / 1000))
        done | sort -n | awk '{ t[NR] = $1 } END {
            m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.6f\n", m / 1e6 }'
    fi
}

rows=()
for size in $SIZES; do
    repo=$work/monorepo-$size
    rm -rf "$repo"
    "$gen" "$repo" "$size"
    for env in $ENVS; do
        root=$repo/envs/$env
        run_to "$work/kubectl.yaml" "$work/kubectl.rss" kubectl kustomize "$root"
        run_to "$work/drydock.yaml" "$work/drydock.rss" "$drydock" build "$root"
        if ! cmp -s "$work/kubectl.yaml" "$work/drydock.yaml"; then
            echo "bench-render: outputs differ for $size apps, envs/$env (kubectl < > drydock):" >&2
            diff "$work/kubectl.yaml" "$work/drydock.yaml" | head -20 >&2
            exit 1
        fi
        objects=$(grep -c '^kind: ' "$work/kubectl.yaml" || true)
        k_secs=$(median_secs "$KUBECTL_RUNS" kubectl kustomize "$root")
        d_secs=$(median_secs "$RUNS" "$drydock" build "$root")
        rows+=("$size $env $objects kubectl $k_secs $(cat "$work/kubectl.rss") $k_secs")
        rows+=("$size $env $objects drydock $d_secs $(cat "$work/drydock.rss") $k_secs")
    done
done

echo
echo "machine: $(nproc) CPU(s), $(uname -sr); $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
printf '%s\n' "${rows[@]}" | awk '
    BEGIN { printf "%-5s %-10s %-8s %-8s %11s %14s %9s\n", "apps", "root", "objects", "tool", "median", "peak RSS", "speed-up" }
    { printf "%-5s %-10s %-8s %-8s %9.3f s %10.1f MiB %8.1fx\n", $1, "envs/" $2, $3, $4, $5, $6 / 1024, $7 / $5 }'
