#!/usr/bin/env bash
# `drydock check` as a pre-commit hook and as a CI gate: wall time (median of
# RUNS, start-up included) of
#
#   1. a typical single-overlay commit: a git repository holding the example in
#      overlays/, one staged change to overlays/prod, `check --changed-only`
#      as pre-commit runs it (PRE_COMMIT=1);
#   2. the same repository checked whole (`check`, every overlay);
#   3. the generated kustomize monorepo of examples/gen_monorepo.rs (APPS apps,
#      three environments): `check` of the whole tree, and `--changed-only`
#      after a change to one app's base.
#
#   RUNS=10  APPS=100
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
APPS=${APPS:-100}
cargo build --release --quiet --bin drydock --example gen_monorepo
drydock=$PWD/target/release/drydock
gen=$PWD/target/release/examples/gen_monorepo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median_ms CMD... : the median wall time of RUNS runs, in milliseconds.
median_ms() {
    python3 - "$RUNS" "$@" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print("%.1f" % times[len(times) // 2])
PY
}

init_repo() {
    git -C "$1" init -q -b main
    git -C "$1" -c user.email=b@example.com -c user.name=bench add -A
    git -C "$1" -c user.email=b@example.com -c user.name=bench commit -q -m initial
}

echo "| case | objects | median wall |"
echo "|---|---|---|"

repo=$work/example
mkdir -p "$repo" && cp -r overlays "$repo/"
init_repo "$repo"
sed -i 's/replicas: 3/replicas: 4/' "$repo"/overlays/prod/*.yaml 2>/dev/null || true
echo "# touched" >>"$repo/overlays/prod/kustomization.yaml"
git -C "$repo" add -A
objects=$(cd "$repo" && { PRE_COMMIT=1 "$drydock" check --changed-only --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["objects"])')
ms=$(cd "$repo" && PRE_COMMIT=1 median_ms "$drydock" check --changed-only)
echo "| pre-commit, one overlay changed (example) | $objects | $ms ms |"
objects=$(cd "$repo" && { "$drydock" check --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["objects"])')
ms=$(cd "$repo" && median_ms "$drydock" check)
echo "| gate, whole example (3 overlays) | $objects | $ms ms |"

mono=$work/mono
"$gen" "$mono" "$APPS" >/dev/null
init_repo "$mono"
objects=$(cd "$mono" && { "$drydock" check --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["objects"])')
ms=$(cd "$mono" && median_ms "$drydock" check)
echo "| gate, monorepo of $APPS apps | $objects | $ms ms |"
# The first base deployment (no early-exiting grep: pipefail would see SIGPIPE).
bases=$(git -C "$mono" ls-files | grep '/base/.*deployment.yaml')
base=${bases%%$'\n'*}
echo "# touched" >>"$mono/$base"
git -C "$mono" add -A
objects=$(cd "$mono" && { PRE_COMMIT=1 "$drydock" check --changed-only --format json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["objects"])')
ms=$(cd "$mono" && PRE_COMMIT=1 median_ms "$drydock" check --changed-only)
echo "| pre-commit, one base changed (monorepo) | $objects | $ms ms |"
