#!/usr/bin/env bash
# Pitch accuracy and speed on the development corpus (../shared/pitch-corpus, never copied
# into the repository). Builds examples/pitchtrack in release, tracks every corpus file into
# a temporary directory, prints the scorer's table (evaluate.py) and the tracker's CPU
# seconds per second of audio.
#
# usage: scripts/bench-pitch.sh [extra pitchtrack args, e.g. --hop-ms 10]
# env:   CARGO_TARGET_DIR (honoured), PITCH_CORPUS (default: ../shared/pitch-corpus),
#        KEEP_EST=1 keeps the estimate directory and prints its path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
corpus="${PITCH_CORPUS:-$repo/../shared/pitch-corpus}"
corpus="$(cd "$corpus" && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"

if ! python3 -c 'import numpy' 2>/dev/null; then
    echo "bench-pitch: installing numpy for evaluate.py" >&2
    python3 -m pip install --quiet numpy
fi

(cd "$repo" && cargo build --quiet --release --example pitchtrack)
bin="$target/release/examples/pitchtrack"

est="$(mktemp -d "${TMPDIR:-/tmp}/bench-pitch.XXXXXX")"
if [[ "${KEEP_EST:-0}" != 1 ]]; then
    trap 'rm -rf "$est"' EXIT
fi

# Audio duration of all files, from their headers (numpy-free, stdlib wave module).
audio_seconds="$(python3 - "$corpus" <<'EOF'
import glob, os, sys, wave
total = 0.0
for s in ("fda", "mir1k", "synth"):
    for p in glob.glob(os.path.join(sys.argv[1], s, "*.wav")):
        with wave.open(p) as w:
            total += w.getnframes() / w.getframerate()
print(f"{total:.3f}")
EOF
)"

# CPU time (user + sys) of the tracker processes only, via bash's `time` on the loop: process
# start, WAV decoding and CSV output included, scoring excluded. The trackers' own stderr
# goes to fd 3 (the script's stderr) so that `time` writes alone to its file.
track_all() {
    for set in fda mir1k synth; do
        mkdir -p "$est/$set"
        for wav in "$corpus/$set"/*.wav; do
            "$bin" "$wav" "$@" >"$est/$set/$(basename "$wav" .wav).csv" 2>&3
        done
    done
}
TIMEFORMAT='%U %S'
{ time track_all "$@"; } 3>&2 2>"$est/cpu-time.txt"
cpu_seconds="$(awk '{ print $1 + $2 }' "$est/cpu-time.txt")"

python3 "$corpus/evaluate.py" "$corpus" "$est"
python3 - "$cpu_seconds" "$audio_seconds" <<'EOF'
import sys
cpu, audio = float(sys.argv[1]), float(sys.argv[2])
print(f"pitchtrack CPU {cpu:.3f} s for {audio:.1f} s of audio: {cpu / audio:.5f} CPU s per audio s")
EOF
if [[ "${KEEP_EST:-0}" == 1 ]]; then
    echo "estimates kept in $est"
fi
