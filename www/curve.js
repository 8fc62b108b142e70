// A scrolling pitch curve on a <canvas>: the last `seconds` of voiced estimates against a
// log-frequency axis with a note grid. The vertical range follows the notes sung or played
// (at least an octave, within the detector's min/max frequency) and eases to new bounds.
// Points live in two typed-array rings, so pushing and drawing allocate nothing.

import { NOTE_NAMES } from '/pkg/index.js';

export const CURVE_COLOR = '#6cb6ff';
const BACKGROUND = '#12151c';
const GRID = '#262c38';
const GRID_C = '#3b4455';
const LABEL = '#8b93a5';
const LEFT = 34; // CSS px kept for the note labels
const BOTTOM = 16; // CSS px kept for the time labels
const MIN_SPAN = 13; // semitones: never zoom in further than an octave and a bit
const MARGIN = 2; // semitones above the highest and below the lowest point
const JOIN_S = 0.25; // points further apart in time (a stalled main thread) are not joined
const JOIN_SEMITONES = 1.5; // nor are jumps larger than this (octave errors, new notes)

export class PitchCurve {
  constructor(canvas, { seconds = 10, capacity = 4096 } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.seconds = seconds;
    this.times = new Float64Array(capacity);
    this.freqs = new Float32Array(capacity);
    this.head = 0; // next write
    this.count = 0;
    this.setRange(50, 1500, 440);
  }

  /** The detector's frequency bounds and A4: the axis never leaves them. */
  setRange(minHz, maxHz, a4) {
    this.a4 = a4;
    this.minMidi = this.midi(minHz);
    this.maxMidi = this.midi(maxHz);
    this.lo = this.minMidi;
    this.hi = this.maxMidi;
  }

  midi(hz) {
    return 69 + 12 * Math.log2(hz / this.a4);
  }

  clear() {
    this.count = 0;
    this.head = 0;
  }

  /** One estimate; frequency 0 (unvoiced) is kept so that lines break across it. */
  push(time, frequency) {
    this.times[this.head] = time;
    this.freqs[this.head] = frequency;
    this.head = (this.head + 1) % this.times.length;
    if (this.count < this.times.length) this.count++;
  }

  /** Fits the canvas to its CSS size times devicePixelRatio; returns the scale. */
  fit() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(this.canvas.clientWidth * dpr);
    const h = Math.round(this.canvas.clientHeight * dpr);
    if (w > 0 && h > 0 && (this.canvas.width !== w || this.canvas.height !== h)) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return dpr;
  }

  /** Eases the shown range towards the points of the window (in semitones). */
  follow(now) {
    let lo = Infinity;
    let hi = -Infinity;
    const n = this.times.length;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head - 1 - k + n) % n;
      if (now - this.times[i] > this.seconds) break;
      if (this.freqs[i] > 0) {
        const m = this.midi(this.freqs[i]);
        if (m < lo) lo = m;
        if (m > hi) hi = m;
      }
    }
    if (lo === Infinity) return; // nothing voiced: keep the view
    lo -= MARGIN;
    hi += MARGIN;
    if (hi - lo < MIN_SPAN) {
      const mid = (lo + hi) / 2;
      lo = mid - MIN_SPAN / 2;
      hi = mid + MIN_SPAN / 2;
    }
    const span = Math.min(hi - lo, this.maxMidi - this.minMidi);
    if (lo < this.minMidi) {
      lo = this.minMidi;
      hi = lo + span;
    }
    if (hi > this.maxMidi) {
      hi = this.maxMidi;
      lo = hi - span;
    }
    this.lo += (lo - this.lo) * 0.08;
    this.hi += (hi - this.hi) * 0.08;
  }

  draw(now) {
    const dpr = this.fit();
    const g = this.ctx;
    const W = this.canvas.width;
    const H = this.canvas.height;
    const left = LEFT * dpr;
    const plotH = H - BOTTOM * dpr;
    const plotW = W - left;
    this.follow(now);
    const lo = this.lo;
    const hi = this.hi;
    const y = (m) => plotH - ((m - lo) / (hi - lo)) * plotH;
    const x = (t) => left + plotW - ((now - t) / this.seconds) * plotW;

    g.fillStyle = BACKGROUND;
    g.fillRect(0, 0, W, H);

    // Note grid: a line per semitone when they are far enough apart, else on C's and A's;
    // labels on every note when they fit, else on the C's (and the A's when there is room).
    const pxPerSemitone = plotH / (hi - lo);
    const everyLine = pxPerSemitone >= 6 * dpr;
    const labelAll = pxPerSemitone >= 13 * dpr;
    const labelA = pxPerSemitone * 3 >= 14 * dpr;
    g.font = `${11 * dpr}px system-ui, sans-serif`;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    g.lineWidth = Math.max(1, dpr);
    for (let m = Math.ceil(lo); m <= Math.floor(hi); m++) {
      if (m < 0 || m > 127) continue;
      const isC = m % 12 === 0;
      const isA = m % 12 === 9;
      if (!isC && !isA && !everyLine) continue;
      const yy = Math.round(y(m)) + 0.5;
      g.strokeStyle = isC ? GRID_C : GRID;
      g.beginPath();
      g.moveTo(left, yy);
      g.lineTo(W, yy);
      g.stroke();
      if (isC || labelAll || (isA && labelA)) {
        g.fillStyle = isC ? '#c3c9d6' : LABEL;
        g.fillText(NOTE_NAMES[m], left - 5 * dpr, yy);
      }
    }

    // Seconds.
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    g.fillStyle = LABEL;
    for (let s = 0; s <= this.seconds; s += 1) {
      const xx = Math.round(left + plotW - (s / this.seconds) * plotW) + 0.5;
      g.strokeStyle = GRID;
      g.beginPath();
      g.moveTo(xx, 0);
      g.lineTo(xx, plotH);
      g.stroke();
      if (s % 2 === 0) {
        g.textAlign = s === 0 ? 'right' : 'center';
        g.fillText(s === 0 ? 'now' : `−${s} s`, Math.min(xx, W - 2 * dpr), H - 1 * dpr);
      }
    }

    // The curve, oldest first.
    g.save();
    g.beginPath();
    g.rect(left, 0, plotW, plotH);
    g.clip();
    g.strokeStyle = CURVE_COLOR;
    g.fillStyle = CURVE_COLOR;
    g.lineWidth = 2.5 * dpr;
    g.lineJoin = 'round';
    g.lineCap = 'round';
    const n = this.times.length;
    let k = this.count - 1;
    while (k > 0 && now - this.times[(this.head - 1 - k + n) % n] > this.seconds) k--;
    let prevT = -Infinity;
    let prevM = NaN;
    g.beginPath();
    for (; k >= 0; k--) {
      const i = (this.head - 1 - k + n) % n;
      const f = this.freqs[i];
      if (!(f > 0)) {
        prevM = NaN;
        continue;
      }
      const t = this.times[i];
      const m = this.midi(f);
      const xx = x(t);
      const yy = y(m);
      if (t - prevT < JOIN_S && Math.abs(m - prevM) < JOIN_SEMITONES) {
        g.lineTo(xx, yy);
      } else {
        g.moveTo(xx, yy);
        g.lineTo(xx + 0.01, yy); // a lone point still shows, as a round dot
      }
      prevT = t;
      prevM = m;
    }
    g.stroke();
    g.restore();
  }
}
