#!/usr/bin/env bash
# Validation benchmark: drydock side by side with kubernetes-validate (the PyPI
# CLI, strict mode, Kubernetes 1.37.0) on generated streams of realistic objects
# with injected schema errors (examples/gen_validate_stream.rs).
#
# For each size it first checks that drydock reports exactly the injected errors,
# each at its line and column, and nothing else, and prints the same with one
# thread as with its default thread count (it fails when either is not so); it
# compares the objects each tool flags; then it measures the median and best
# wall time (hyperfine when installed, else a loop), the CPU time and the peak
# RSS (GNU time). On a busy machine, resources per CPU second is the steadier rate.
#
#   SIZES="1000 10000 50000"   objects per stream
#   KV_SIZES="1000 10000"      sizes kubernetes-validate runs on, "" for none (30 to 60 ms
#                              per object, so about 10 minutes for 10000)
#   ERRORS_EVERY=150           one injected error per this many objects
#   SEED=1                     generator seed
#   RUNS=5                     timed runs of drydock per thread count
#   KEEP=DIR                   generate into DIR and keep it
#
# kubernetes-validate is installed with pip into a virtual environment under
# ${XDG_CACHE_HOME:-$HOME/.cache}/drydock-bench/venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 50000"}
KV_SIZES=${KV_SIZES-"1000 10000"}
ERRORS_EVERY=${ERRORS_EVERY:-150}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
KV_VERSION=1.37.0

[[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 ||
    { echo "bench-validate: GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench-validate: python3 is not installed" >&2; exit 2; }

venv=${XDG_CACHE_HOME:-$HOME/.cache}/drydock-bench/venv
kv=$venv/bin/kubernetes-validate
if [[ -n $KV_SIZES ]] && ! "$kv" --version 2>/dev/null | grep -qx "$KV_VERSION"; then
    echo "installing kubernetes-validate==$KV_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KV_VERSION"
fi

cargo build --release --quiet --bin drydock --example gen_validate_stream
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
drydock=$target_dir/release/drydock
gen=$target_dir/release/examples/gen_validate_stream

# `drydock validate` when this build has it, else `drydock check`.
if "$drydock" validate --help >/dev/null 2>&1; then
    subcommand=(validate)
    if "$drydock" validate --help | grep -q -- '--kubernetes-version'; then
        subcommand+=(--kubernetes-version "$KV_VERSION")
    fi
else
    subcommand=(check)
fi

if [[ -n ${KEEP:-} ]]; then
    work=$KEEP
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

have_hyperfine=$(command -v hyperfine >/dev/null && echo 1 || echo 0)
cores=$(nproc)

# measure OUT STATS CMD... : runs CMD once, stdout to OUT; "wall user sys maxrss_kib" to STATS.
# Exit status 1 (findings) is expected.
measure() {
    local out=$1 stats=$2
    shift 2
    local rc=0
    # GNU time puts "Command exited with non-zero status" before the numbers.
    /usr/bin/time -f "%e %U %S %M" -o "$stats.all" "$@" >"$out" 2>/dev/null || rc=$?
    tail -n 1 "$stats.all" >"$stats"
    if ((rc > 1)); then
        echo "bench-validate: exit status $rc from: $*" >&2
        exit 1
    fi
}

# wall_secs RUNS CMD... : "median best" wall time of RUNS runs, in seconds. The best
# run says more than the median on a machine shared with other work.
wall_secs() {
    local runs=$1
    shift
    if [[ $have_hyperfine == 1 ]]; then
        local json
        json=$(mktemp)
        hyperfine -N -i --style none --warmup 1 --runs "$runs" --export-json "$json" \
            -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["min"])' "$json"
        rm -f "$json"
    else
        local i start end
        for ((i = 0; i < runs; i++)); do
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            echo $(((end - start) / 1000))
        done | sort -n | awk '{ t[NR] = $1 } END {
            m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.6f %.6f\n", m / 1e6, t[1] / 1e6 }'
    fi
}

# sanity OBJECTS EXPECTED DRYDOCK_JSON [KV_OUTPUT]: drydock must report exactly the
# expected findings; prints how many objects each tool flags.
sanity() {
    python3 - "$@" <<'EOF'
import json, sys
objects, expected_path, drydock_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
kv_path = sys.argv[4] if len(sys.argv) > 4 else None
expected, injected, kv_visible = set(), set(), set()
# Classes kubernetes-validate cannot see: its schemas carry no enums, and its
# validator does not assert formats (quantities, base64).
kv_blind = ("bad-", "secret-not-base64")
for row in open(expected_path):
    line, column, code, fault, obj = row.rstrip("\n").split("\t")
    expected.add((int(line), int(column), code))
    injected.add(obj)
    if not fault.startswith(kv_blind) and not fault.startswith("removed-"):
        kv_visible.add(obj.split("/", 1)[0].lower() + "/" + obj.split("/", 1)[1])
report = json.load(open(drydock_path))
found = {(d["line"], d["column"], d["code"]) for d in report["diagnostics"]}
flagged = {(d["object"]["kind"], d["object"]["name"]) for d in report["diagnostics"] if d["object"]}
missed, extra = sorted(expected - found), sorted(found - expected)
ok = not missed and not extra and report["summary"]["objects"] == objects
print(f"  {objects} objects, {len(injected)} injected errors: drydock reports "
      f"{len(found)}/{len(expected)} expected findings ({len(missed)} missed, {len(extra)} unexpected), "
      f"flags {len(flagged)} objects")
for what, rows in (("missed", missed), ("unexpected", extra)):
    for r in rows[:10]:
        print(f"    {what}: line {r[0]} column {r[1]} {r[2]}")
if kv_path:
    kv_errors, kv_unknown = set(), 0
    for line in open(kv_path):
        if line.startswith("ERROR "):
            kv_errors.add(line.split(" for resource ", 1)[1].split(" ", 1)[0])
        elif line.startswith("WARN ") and "Couldn't find schema" in line:
            kv_unknown += 1
    agree = "as expected" if kv_errors == kv_visible else \
        f"EXPECTED {len(kv_visible)}: missing {sorted(kv_visible - kv_errors)[:5]}, extra {sorted(kv_errors - kv_visible)[:5]}"
    print(f"  kubernetes-validate flags {len(kv_errors)} objects invalid ({agree}; it has no enums or "
          f"format checks) and {kv_unknown} without a schema (the removed apiVersions)")
sys.exit(0 if ok else 1)
EOF
}

rows=()
for size in $SIZES; do
    stream=$work/stream-$size.yaml
    "$gen" "$stream" "$size" "$ERRORS_EVERY" "$SEED" >/dev/null
    bytes=$(stat -c %s "$stream")
    echo "$size objects: $bytes bytes, drydock ${subcommand[*]}"
    kv_out=()
    if [[ " $KV_SIZES " == *" $size "* ]]; then
        measure "$work/kv-$size.txt" "$work/kv.stats" "$kv" --strict --quiet -k "$KV_VERSION" "$stream"
        read -r wall user sys rss <"$work/kv.stats"
        rows+=("$size $bytes kubernetes-validate 1 $wall $wall $user $sys $rss")
        kv_out=("$work/kv-$size.txt")
    fi
    # One worker thread, then drydock's default (one per CPU), which must print the same.
    for threads in 1 default; do
        if [[ $threads == 1 ]]; then
            cmd=("$drydock" -j 1 "${subcommand[@]}" --format json "$stream")
        else
            cmd=("$drydock" "${subcommand[@]}" --format json "$stream")
        fi
        measure "$work/drydock-$threads.json" "$work/drydock.stats" "${cmd[@]}"
        if [[ $threads == 1 ]]; then
            sanity "$size" "$stream.expected" "$work/drydock-1.json" "${kv_out[@]}" ||
                { echo "bench-validate: drydock's findings differ from the injected errors" >&2; exit 1; }
        elif ! cmp -s "$work/drydock-1.json" "$work/drydock-$threads.json"; then
            echo "bench-validate: the output with $cores threads differs from the output with one" >&2
            exit 1
        fi
        read -r _ user sys rss <"$work/drydock.stats"
        label=$([[ $threads == 1 ]] && echo 1 || echo "${cores}d")
        rows+=("$size $bytes drydock $label $(wall_secs "$RUNS" "${cmd[@]}") $user $sys $rss")
    done
    [[ " $KV_SIZES " == *" $size "* ]] || echo "  kubernetes-validate not run on $size objects (KV_SIZES=\"$KV_SIZES\")"
done

echo
echo "machine: $cores CPU(s), $(uname -sr); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "drydock ${subcommand[*]} --format json; kubernetes-validate $KV_VERSION --strict --quiet -k $KV_VERSION"
echo
printf '%s\n' "${rows[@]}" | awk '
    BEGIN {
        print "| objects | MB | tool | threads | wall (median) | wall (best) | resources/s | resources/s/core | CPU s | resources/CPU s | peak RSS | RSS/input |"
        print "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    }
    {
        rate = $1 / $5
        threads = $4 + 0
        shown = ($4 ~ /d$/) ? threads " (default)" : threads
        cpu = $7 + $8
        printf "| %d | %.1f | %s | %s | %.3f s | %.3f s | %.0f | %.0f | %.2f | %.0f | %.1f MiB | %.1fx |\n",
            $1, $2 / 1e6, $3, shown, $5, $6, rate, rate / threads, cpu, $1 / cpu, $9 / 1024, $9 * 1024 / $2
        if ($3 == "kubernetes-validate") kv[$1] = rate
        else if ($4 == "1" && ($1 in kv)) notes[++n] = sprintf("%d objects: drydock on one thread has %.0fx the throughput of kubernetes-validate", $1, rate / kv[$1])
        if ($3 == "drydock" && $4 == "1") { rss[++m] = $9 / 1024; at[m] = $1 }
    }
    END {
        # Memory that stays flat as the input grows: the peak RSS of the
        # smallest and the largest stream, one thread.
        if (m > 1) notes[++n] = sprintf("drydock peak RSS, one thread: %.1f MiB at %d objects, %.1f MiB at %d objects", rss[1], at[1], rss[m], at[m])
        if (n) print ""
        for (i = 1; i <= n; i++) print notes[i]
    }'
