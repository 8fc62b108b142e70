#!/usr/bin/env bash
# Pitch accuracy and speed on the development corpus (../shared/pitch-corpus, never copied
# into the repository). Builds examples/pitchtrack in release, tracks every corpus file into
# a temporary directory, prints the scorer's table (evaluate.py) for the whole corpus and for
# each half of a two-fold split, and the tracker's CPU seconds per second of audio against
# pitchy (npm) in the same run.
#
# Two-fold split (docs/pitch.md, "Two-fold evaluation"): in each set, the reference stems
# sorted by code point (Python's sorted(), the order of `LC_ALL=C ls`) alternate A, B, A, B…
# fda's stems are rl001..rl020 then sb001..sb020, so each half holds 10 files of each
# speaker; mir1k's 19 clips split 10 / 9, synth's 40 split 20 / 20. "tuned on A, scored on
# B" is the scorer run on half B alone, and the reverse: constants tuned while looking at one
# half only are checked on the other. The halves are directories of symlinks (reference f0
# files and estimates) inside the temporary directory, never in the repository.
#
# usage: scripts/bench-pitch.sh [extra pitchtrack args, e.g. --hop-ms 10]
# env:   CARGO_TARGET_DIR (honoured), PITCH_CORPUS (default: ../shared/pitch-corpus),
#        KEEP_EST=1 keeps the estimate directory and prints its path; ROUNDS (default 3, at least 1)
#        alternating timing rounds of pitchtrack and pitchy; FEATURES (cargo features of the
#        tracker's build, e.g. compact-fft: the wasm build's FFT).
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

(cd "$repo" && cargo build --quiet --release --example pitchtrack ${FEATURES:+--features "$FEATURES"})
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

# CPU time (user + sys) of the tracker processes only, via bash's `time` on the loop: one
# process per set (`--out-dir`), process start, WAV decoding and CSV output included,
# scoring excluded. The trackers' own stderr goes to fd 3 (the script's stderr) so that
# `time` writes alone to its file.
track_all() {
    for set in fda mir1k synth; do
        mkdir -p "$est/$set"
        "$bin" --out-dir "$est/$set" "$corpus/$set"/*.wav "$@" 2>&3
    done
}
# CPU against pitchy (benches/pitchy-corpus.mjs: same window and hop, detection loops only),
# in ROUNDS rounds that alternate the two so that both see the same machine load. The ratio
# of the medians is the figure (the target: pitchtap at least 5x cheaper than pitchy). Every
# round writes the same estimates (the tracker is deterministic); the scorer reads the last.
rounds="${ROUNDS:-3}"
if ((rounds < 1)); then
    echo "bench-pitch: ROUNDS must be at least 1" >&2
    exit 2
fi
TIMEFORMAT='%U %S'
pt=()
py=()
for ((r = 1; r <= rounds; r++)); do
    { time track_all "$@"; } 3>&2 2>"$est/cpu-time.txt"
    pt+=("$(awk '{ print $1 + $2 }' "$est/cpu-time.txt")")
    py+=("$(cd "$repo" && node benches/pitchy-corpus.mjs "$corpus" | sed -E 's/^pitchy CPU ([0-9.]+) s.*/\1/')")
done
echo "whole corpus:"
python3 "$corpus/evaluate.py" "$corpus" "$est"
# The two halves as directories of symlinks: $est/fold/{A,B}/{ref,est}/<set>/.
python3 - "$corpus" "$est" <<'EOF'
import glob, os, sys
corpus, est = sys.argv[1], sys.argv[2]
for s in ("fda", "mir1k", "synth"):
    stems = sorted(os.path.basename(p)[: -len(".f0.csv")]
                   for p in glob.glob(os.path.join(corpus, s, "*.f0.csv")))
    for i, stem in enumerate(stems):
        half = os.path.join(est, "fold", "AB"[i % 2])
        for kind, src, name in (("ref", os.path.join(corpus, s), stem + ".f0.csv"),
                                ("est", os.path.join(est, s), stem + ".csv")):
            os.makedirs(os.path.join(half, kind, s), exist_ok=True)
            os.symlink(os.path.join(src, name), os.path.join(half, kind, s, name))
EOF
for fold in "A B" "B A"; do
    read -r tuned scored <<<"$fold"
    echo
    echo "tuned on $tuned, scored on $scored (half $scored alone):"
    python3 "$corpus/evaluate.py" "$est/fold/$scored/ref" "$est/fold/$scored/est"
done
echo
python3 - "$audio_seconds" "${pt[*]}" "${py[*]}" <<'EOF'
import statistics, sys
audio = float(sys.argv[1])
pt = [float(v) for v in sys.argv[2].split()]
py = [float(v) for v in sys.argv[3].split()]
per = lambda vs: ", ".join(f"{v / audio:.5f}" for v in vs)
print(f"CPU s per audio s, {len(pt)} alternating rounds over {audio:.1f} s of audio:")
print(f"  pitchtrack (one process a set, WAV decoding included): {per(pt)}")
print(f"  pitchy 4 in Node (detection loops only):            {per(py)}")
m_pt, m_py = statistics.median(pt), statistics.median(py)
print(f"  medians: pitchtrack {m_pt / audio:.5f}, pitchy {m_py / audio:.5f}; "
      f"pitchtrack costs {m_pt / m_py:.3f}x pitchy ({m_py / m_pt:.2f}x cheaper)")
EOF
if [[ "${KEEP_EST:-0}" == 1 ]]; then
    echo "estimates kept in $est"
fi
