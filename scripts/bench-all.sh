#!/usr/bin/env bash
# `make bench`: every benchmark in turn, each printing its markdown tables, then how long each
# took and the total against the limit (make bench under 20 minutes on the 2-core
# machine), and the headline cost ratios again (pitchtrack against pitchy natively, from
# bench-pitch; pitchtap's analysis against pitchy + RMS in the browser, above a lean JS pooled
# transport, from bench-transports). Runs them all even when one fails; exits non-zero if any
# failed.
#
# usage: scripts/bench-all.sh [target ...]   (default: build, then every bench-* target below)
set -uo pipefail

targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=(build size bench-pitch bench-latency bench-worklet bench-transports bench-gc bench-pitch-browser bench-batch bench-pool)
fi

limit_s=$((20 * 60))
start=$(date +%s)
declare -a lines
failed=0
log="$(mktemp "${TMPDIR:-/tmp}/bench-all.XXXXXX")"
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
    t0=$(date +%s)
    echo "=== make $t ($(date -u +%H:%M:%S) UTC)"
    if make --no-print-directory "$t" BENCH_NO_BUILD=1 | tee -a "$log"; then status=ok; else status=FAILED; failed=1; fi
    lines+=("| \`make $t\` | $(($(date +%s) - t0)) | $status |")
done
total=$(($(date +%s) - start))

echo
echo "### make bench: time per step ($(date -u +%Y-%m-%d) UTC, $(nproc) cores)"
echo
echo "| step | seconds | result |"
echo "| --- | --- | --- |"
printf '%s\n' "${lines[@]}"
echo "| **total** | **$total** ($((total / 60)) min $((total % 60)) s) | $( ((total < limit_s)) && echo "under the 20 min limit" || echo "OVER the 20 min limit") |"
ratios="$(grep -E '^  medians: pitchtrack|^Task time above a lean JS pooled transport' "$log")"
if [[ -n "$ratios" ]]; then
    echo
    echo "### make bench: cost ratios (targets: at least 5x natively, 3x in the browser)"
    echo
    echo "$ratios"
fi
exit $failed
