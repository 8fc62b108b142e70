// The tap's counters from tap.stats(), a few times a second. A field the running library
// does not report (yet) shows as "–"; nothing here assumes a field exists.

const DASH = '–';

const num = (v, digits = 0) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : DASH;
const pair = (o, digits, unit) => {
  const a = num(o?.p50, digits);
  const b = num(o?.p99, digits);
  return a === DASH && b === DASH ? DASH : `${a} / ${b}${unit}`;
};

/** [key, label, format(stats)] — key names the row for tests and CSS. */
const ROWS = [
  ['messagesPerSecond', 'messages/s', (s) => num(s.messagesPerSecond, 1)],
  ['batchAge', 'batch age p50 / p99', (s) => pair(s.batchAgeMs, 1, ' ms')],
  ['analysis', 'analysis p50 / p99', (s) => pair(s.analysisMs, 2, ' ms')],
  [
    'poolFree',
    'pool free / size',
    (s) => {
      const free = num(s.pool?.free);
      const size = num(s.pool?.size);
      return free === DASH && size === DASH ? DASH : `${free} / ${size}`;
    },
  ],
  ['inFlight', 'in flight', (s) => num(s.pool?.inFlight)],
  ['lowWater', 'pool low water', (s) => num(s.pool?.lowWater)],
  [
    'exhausted',
    'pool exhausted',
    (s) =>
      typeof s.pool?.exhausted === 'boolean'
        ? s.pool.exhausted
          ? 'yes'
          : 'no'
        : num(s.pool?.exhausted),
  ],
  ['droppedSamples', 'dropped samples', (s) => num(s.droppedSamples)],
  ['gaps', 'gaps', (s) => num(s.gaps)],
  ['messages', 'batches received', (s) => num(s.messages)],
  ['batchSize', 'batch size', (s) => num(s.batchSize)],
  [
    'sampleRate',
    'sample rate',
    (s) => (typeof s.sampleRate === 'number' ? `${s.sampleRate} Hz` : DASH),
  ],
];

export class StatsView {
  constructor(dl) {
    this.values = new Map();
    for (const [key, label] of ROWS) {
      const row = document.createElement('div');
      row.dataset.stat = key;
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = DASH;
      row.append(dt, dd);
      dl.append(row);
      this.values.set(key, dd);
    }
  }

  /** `stats`: a tap.stats() object, or null to blank every row. */
  show(stats) {
    for (const [key, , format] of ROWS) {
      let text = DASH;
      if (stats) {
        try {
          text = format(stats);
        } catch {
          text = DASH;
        }
      }
      const dd = this.values.get(key);
      if (dd.textContent !== text) dd.textContent = text;
    }
    const drops = this.values.get('droppedSamples');
    drops.classList.toggle('bad', Boolean(stats && stats.droppedSamples > 0));
  }
}
