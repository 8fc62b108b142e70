// A level meter on a <canvas>: the smoothed RMS level as a bar, the latest batch's peak as a
// fainter bar behind it, and a peak-hold marker that stays put for HOLD_S and then falls.
// Scale in dBFS from FLOOR to 0.

const FLOOR = -60;
const HOLD_S = 1.5;
const FALL_DB_PER_S = 20;
const TICKS = [-60, -48, -36, -24, -18, -12, -6, -3, 0];
const BACKGROUND = '#12151c';

/** Linear amplitude to dBFS, floored at −120 like the library's `db`. */
export function toDb(amplitude) {
  return amplitude > 1e-6 ? 20 * Math.log10(amplitude) : -120;
}

export class LevelMeter {
  constructor(canvas, { rms, peak, hold }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.text = { rms, peak, hold };
    this.reset();
  }

  reset() {
    this.bar = FLOOR;
    this.peakDb = FLOOR;
    this.hold = FLOOR;
    this.holdSince = 0;
    this.last = 0;
    this.live = false;
  }

  /** `volume`: tap.latest.volume (a reused object) or null when nothing runs. */
  update(volume, nowS) {
    const dt = this.last ? Math.min(0.1, nowS - this.last) : 0;
    this.last = nowS;
    this.live = Boolean(volume) && volume.time > 0;
    if (!this.live) {
      this.text.rms.textContent = '– dBFS';
      this.text.peak.textContent = '– dBFS';
      this.text.hold.textContent = '– dBFS';
      this.bar = FLOOR;
      this.peakDb = FLOOR;
      this.hold = FLOOR;
      return;
    }
    const peakDb = toDb(volume.peak);
    this.bar = volume.smoothedDb;
    this.peakDb = peakDb;
    if (peakDb >= this.hold) {
      this.hold = peakDb;
      this.holdSince = nowS;
    } else if (nowS - this.holdSince > HOLD_S) {
      this.hold = Math.max(peakDb, this.hold - FALL_DB_PER_S * dt);
    }
    this.text.rms.textContent = `${fmt(volume.db)} dBFS`;
    this.text.peak.textContent = `${fmt(peakDb)} dBFS`;
    this.text.hold.textContent = `${fmt(this.hold)} dBFS`;
  }

  draw() {
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    const w = Math.round(c.clientWidth * dpr);
    const h = Math.round(c.clientHeight * dpr);
    if (w > 0 && h > 0 && (c.width !== w || c.height !== h)) {
      c.width = w;
      c.height = h;
    }
    const g = this.ctx;
    const W = c.width;
    const H = c.height;
    const pad = 8 * dpr;
    const barH = Math.round(H * 0.5);
    const x = (db) => pad + ((Math.max(FLOOR, Math.min(0, db)) - FLOOR) / -FLOOR) * (W - 2 * pad);

    g.fillStyle = BACKGROUND;
    g.fillRect(0, 0, W, H);
    g.fillStyle = '#1c212b';
    g.fillRect(pad, 0, W - 2 * pad, barH);
    if (this.live) {
      g.fillStyle = 'rgba(120, 200, 150, 0.28)';
      g.fillRect(pad, 0, x(this.peakDb) - pad, barH);
      const grad = g.createLinearGradient(pad, 0, W - pad, 0);
      grad.addColorStop(0, '#2f9e6b');
      grad.addColorStop((FLOOR + 18) / FLOOR, '#4cc38a');
      grad.addColorStop((FLOOR + 9) / FLOOR, '#e0b84a');
      grad.addColorStop(1, '#ef5350');
      g.fillStyle = grad;
      g.fillRect(pad, 0, x(this.bar) - pad, barH);
      g.fillStyle = '#f3f5f9';
      g.fillRect(Math.round(x(this.hold) - dpr), 0, 2 * dpr, barH);
    }
    g.fillStyle = '#8b93a5';
    g.strokeStyle = '#3b4455';
    g.font = `${10.5 * dpr}px system-ui, sans-serif`;
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    for (const t of TICKS) {
      const xx = Math.round(x(t)) + 0.5;
      g.beginPath();
      g.moveTo(xx, barH + 2 * dpr);
      g.lineTo(xx, barH + 6 * dpr);
      g.stroke();
      if (t !== -18 && t !== -3) g.fillText(String(t).replace('-', '−'), xx, H);
    }
  }
}

function fmt(db) {
  return db <= -120 ? '−∞' : db.toFixed(1).replace('-', '−');
}
