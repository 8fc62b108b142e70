// How periodic the latest window is (the detector's clarity, 0–1) against the clarity
// threshold that decides voiced or not: shows why a note does or does not appear.

export class ClarityBar {
  constructor({ fill, mark, value }) {
    this.el = { fill, mark, value };
    this.threshold = NaN;
  }

  /** Moves the threshold marker (e.g. after a new tap with another clarityThreshold). */
  setThreshold(t) {
    if (t === this.threshold) return;
    this.threshold = t;
    this.el.mark.style.left = `${Math.max(0, Math.min(1, t)) * 100}%`;
  }

  /** `pitch`: tap.latest.pitch (reused object), or null when nothing runs. */
  update(pitch) {
    const c = pitch ? Math.max(0, Math.min(1, pitch.clarity)) : 0;
    this.el.fill.style.width = `${(c * 100).toFixed(1)}%`;
    this.el.fill.classList.toggle('voiced', Boolean(pitch?.voiced));
    const text = pitch && pitch.time > 0 ? c.toFixed(2) : '–';
    if (this.el.value.textContent !== text) this.el.value.textContent = text;
  }
}
