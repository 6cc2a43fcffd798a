#!/usr/bin/env bash
# Labels the renderer's golden cases with `kubectl kustomize` (kustomize v5.5.0).
#
#   scripts/label-render-goldens.sh [--check] [CASE_DIR...]
#
# Without CASE_DIR, every case under fixtures/render/<feature>/<case>/ (a
# directory holding `input/`) except fixtures/render/bad. For each case,
# `kubectl kustomize input/` runs in the case directory and:
#   - on success, stdout becomes expected.yaml and stderr (the deprecation
#     warnings, without klog's log lines) expected.stderr, removed when empty;
#   - on failure, expected.err must hold a substring of the error message; a
#     case without one gets the whole message, to be shortened by hand.
# With --check nothing is written; the script lists every case whose files do
# not match and exits 1 if there is any.
set -euo pipefail

cd "$(dirname "$0")/.."

check=0
if [[ "${1:-}" == "--check" ]]; then
    check=1
    shift
fi

if ! kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v5.5.0'; then
    echo "warning: the goldens were labelled with kustomize v5.5.0" >&2
fi

if [[ $# -gt 0 ]]; then
    cases=("$@")
else
    mapfile -t cases < <(find fixtures/render -mindepth 3 -maxdepth 3 -type d -name input \
        -not -path 'fixtures/render/bad/*' | sed 's|/input$||' | sort)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=0
report() {
    echo "$1: $2" >&2
    bad=1
}

# kubectl's error message: klog prints it Go-quoted after `err=`, or, when it
# spans lines, tab-indented between `err=<` and ` >`.
message() {
    local quoted
    quoted=$(sed -n 's/.*"command failed" err="\(.*\)"$/\1/p' "$1")
    if [[ -n "$quoted" ]]; then
        printf '%s\n' "$quoted" | sed 's/\\"/"/g; s/\\\\/\\/g'
    elif grep -q '"command failed" err=<$' "$1"; then
        sed -n '/"command failed" err=<$/,/^ >$/{/err=<$/d;/^ >$/d;s/^\t//;p}' "$1"
    else
        sed 's/^error: //' "$1"
    fi
}

# `same FILE CONTENT_FILE`: whether FILE holds exactly CONTENT_FILE's bytes;
# a missing FILE matches an empty CONTENT_FILE.
same() {
    if [[ -f "$1" ]]; then
        cmp -s "$1" "$2"
    else
        [[ ! -s "$2" ]]
    fi
}

for case in "${cases[@]}"; do
    case=${case%/}
    if (cd "$case" && kubectl kustomize input/) >"$tmp/out" 2>"$tmp/raw"; then
        # klog lines (`I1128 07:01:40.620004 18895 log.go:245] ...`) carry a
        # time and a pid; they are logs, not warnings.
        grep -Ev '^[IWE][0-9]{4} [0-9:.]+ +[0-9]+ [^ ]+\] ' "$tmp/raw" >"$tmp/err" || true
        if [[ -f "$case/expected.err" ]]; then
            report "$case" "kubectl succeeds but expected.err exists"
            continue
        fi
        if ((check)); then
            [[ -f "$case/expected.yaml" ]] && cmp -s "$case/expected.yaml" "$tmp/out" ||
                report "$case" "expected.yaml differs from kubectl's output"
            same "$case/expected.stderr" "$tmp/err" ||
                report "$case" "expected.stderr differs from kubectl's warnings"
        else
            cp "$tmp/out" "$case/expected.yaml"
            if [[ -s "$tmp/err" ]]; then
                cp "$tmp/err" "$case/expected.stderr"
            else
                rm -f "$case/expected.stderr"
            fi
        fi
    else
        cp "$tmp/raw" "$tmp/err"
        if [[ -f "$case/expected.yaml" ]]; then
            report "$case" "kubectl fails but expected.yaml exists: $(message "$tmp/err")"
            continue
        fi
        if [[ -f "$case/expected.err" ]]; then
            want=$(cat "$case/expected.err")
            message "$tmp/err" >"$tmp/msg"
            grep -qF -- "$want" "$tmp/msg" ||
                report "$case" "kubectl's error does not contain expected.err: $(cat "$tmp/msg")"
        elif ((check)); then
            report "$case" "kubectl fails and there is no expected.err"
        else
            message "$tmp/err" | tail -n1 >"$case/expected.err"
            echo "$case: wrote expected.err; shorten it to a distinctive substring" >&2
        fi
    fi
done

exit $bad
