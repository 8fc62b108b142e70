"""Praat's autocorrelation tracker over the pitch corpus, to get the reference row of
docs/benchmarks.md unrounded (the corpus README rounds to one decimal).

    python3 -m pip install praat-parselmouth numpy   # 0.4.7 used
    python3 benches/praat-corpus.py OUT_DIR [CORPUS_DIR]
    python3 CORPUS_DIR/evaluate.py CORPUS_DIR OUT_DIR --json OUT_DIR/scores.json

Settings as in the corpus README: 10 ms hop, 50-1500 Hz, parselmouth `to_pitch_ac`
defaults otherwise. Not part of `make bench` (it needs parselmouth).
"""
import glob
import os
import sys

import parselmouth

out = sys.argv[1]
corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "pitch-corpus")
for s in ("fda", "mir1k", "synth"):
    os.makedirs(os.path.join(out, s), exist_ok=True)
    for p in sorted(glob.glob(os.path.join(corpus, s, "*.wav"))):
        pitch = parselmouth.Sound(p).to_pitch_ac(
            time_step=0.01, pitch_floor=50.0, pitch_ceiling=1500.0)
        f0 = pitch.selected_array["frequency"]
        stem = os.path.splitext(os.path.basename(p))[0]
        with open(os.path.join(out, s, stem + ".csv"), "w") as o:
            o.write("time_s,f0_hz\n")
            for t, f in zip(pitch.xs(), f0):
                o.write(f"{t:.5f},{f:.3f}\n")
