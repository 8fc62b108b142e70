// The tuner face: the note in large type, a needle over −50…+50 cents, the frequency.
// update() is called once per animation frame with tap.latest.pitch (a reused object).

const SVG = 'http://www.w3.org/2000/svg';
const SWING = 60; // degrees of needle travel either side of 0 cents
const IN_TUNE = 5; // cents
const HOLD_S = 2; // an unvoiced stretch keeps the last note, dimmed, this long

export class TunerView {
  constructor({ note, hand, ticks, freq, cents }) {
    this.el = { note, hand, freq, cents };
    this.angle = 0;
    this.shown = ''; // the note name on display
    this.lastVoiced = -Infinity; // performance.now() seconds of the last voiced estimate
    for (let c = -50; c <= 50; c += 5) {
      const a = (c / 50) * SWING * (Math.PI / 180);
      const major = c % 25 === 0;
      const r0 = major ? 94 : c % 10 === 0 ? 100 : 104;
      const r1 = 110;
      const line = document.createElementNS(SVG, 'line');
      line.setAttribute('x1', (r0 * Math.sin(a)).toFixed(2));
      line.setAttribute('y1', (-r0 * Math.cos(a)).toFixed(2));
      line.setAttribute('x2', (r1 * Math.sin(a)).toFixed(2));
      line.setAttribute('y2', (-r1 * Math.cos(a)).toFixed(2));
      line.setAttribute('class', c === 0 ? 'tick zero' : major ? 'tick major' : 'tick');
      ticks.append(line);
      if (major && c !== 0) {
        const label = document.createElementNS(SVG, 'text');
        label.setAttribute('x', (80 * Math.sin(a)).toFixed(2));
        label.setAttribute('y', (-80 * Math.cos(a) + 4).toFixed(2));
        label.setAttribute('class', 'tick-label');
        label.textContent = c > 0 ? `+${c}` : `−${-c}`;
        ticks.append(label);
      }
    }
  }

  /** `pitch`: { voiced, note, frequency, cents } or null when nothing runs. */
  update(pitch, nowS) {
    const { note, freq, cents } = this.el;
    let target = 0;
    if (pitch && pitch.voiced) {
      this.lastVoiced = nowS;
      target = (Math.max(-50, Math.min(50, pitch.cents)) / 50) * SWING;
      // A new note is a new reference: the needle jumps rather than sweeping across.
      if (pitch.note !== this.shown) {
        this.showNote(pitch.note);
        this.angle = target;
      }
      note.classList.remove('stale');
      note.classList.toggle('in-tune', Math.abs(pitch.cents) < IN_TUNE);
      freq.textContent = `${pitch.frequency.toFixed(1)} Hz`;
      const c = Math.round(pitch.cents);
      cents.textContent = `${c > 0 ? '+' : c < 0 ? '−' : '±'}${Math.abs(c)} cents`;
    } else if (this.shown && nowS - this.lastVoiced > HOLD_S) {
      this.showNote('');
      freq.textContent = '– Hz';
      cents.textContent = '– cents';
    } else if (this.shown) {
      note.classList.add('stale');
      note.classList.remove('in-tune');
    }
    // Ease the needle rather than jump: hops arrive every 10 ms, frames every ~16 ms.
    this.angle += (target - this.angle) * 0.35;
    this.el.hand.setAttribute('transform', `rotate(${this.angle.toFixed(2)})`);
  }

  /** Shows "C#4" as C♯ with the octave small; the plain name stays in data-note. */
  showNote(name) {
    const el = this.el.note;
    this.shown = name;
    el.dataset.note = name;
    el.classList.remove('stale', 'in-tune');
    if (!name) {
      el.textContent = '–';
      return;
    }
    const m = /^([A-G])(#?)(-?\d+)$/.exec(name);
    if (!m) {
      el.textContent = name;
      return;
    }
    const letter = document.createElement('span');
    letter.textContent = m[1];
    const parts = [letter];
    if (m[2]) {
      const sharp = document.createElement('span');
      sharp.className = 'sharp';
      sharp.textContent = '♯';
      parts.push(sharp);
    }
    const octave = document.createElement('sub');
    octave.textContent = m[3];
    parts.push(octave);
    el.replaceChildren(...parts);
  }
}
