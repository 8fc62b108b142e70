// The one page API the browser tests use, whatever engine runs them. Each engine module
// (chromium.mjs, firefox.mjs, webkit.mjs) gives a small driver; `Page` builds the rest of
// the API on `driver.evaluate`, so that a test never asks which engine it runs in.
//
// A driver has: evaluate(fn, arg) → value, goto(url) → { status, headers }, click(sel),
// fill(sel, text), press(sel, key), setInputFiles(sel, file), screenshot(path, fullPage),
// setViewportSize({ width, height }), addInitScript(fn), takeConsole() → [{ type, text }],
// download(sel) → { bytes, filename }, close().

/**
 * Page-side hooks installed in every document before the page's own scripts (an init script,
 * or in WebKit a script the test server puts first into every HTML page, see webkit.mjs): a
 * mock microphone playing a tone or a WAV when the test asked for one (`mic`), and a copy of
 * every Blob given a URL, so that a test can read what a download link offers without the
 * engine's download manager.
 */
export function pageHooks(mic) {
  window.__ptBlobs = new Map();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (obj) {
    const url = createObjectURL.call(URL, obj);
    if (obj instanceof Blob) window.__ptBlobs.set(url, obj);
    return url;
  };
  if (!mic || !navigator.mediaDevices) return;
  // A mock microphone. getUserMedia resolves with a real MediaStream (from a
  // MediaStreamAudioDestinationNode of a hidden context), and the page's own context turns
  // it into the mock's signal, made right there: an OscillatorNode or a looped WAV behind a
  // GainNode stands in for the MediaStreamAudioSourceNode: the tests get the signal exactly,
  // at the page's context's own rate, with no resampling between contexts (the engine's own
  // capture path is tested with its fake device, tests/e2e/microphone.test.mjs).
  let hidden = null;
  const ours = new WeakMap(); // MediaStream → { buffer } of the mock
  // On the prototype: WebKit may drop an expando of the navigator.mediaDevices wrapper.
  MediaDevices.prototype.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.audio)
      throw new DOMException('pitchtap tests: audio only', 'NotSupportedError');
    if (!hidden) hidden = new AudioContext();
    let buffer = null;
    if (mic.wav) buffer = await hidden.decodeAudioData(await (await fetch(mic.wav)).arrayBuffer());
    const stream = new MediaStreamAudioDestinationNode(hidden, { channelCount: 1 }).stream;
    ours.set(stream, { buffer, sources: [] });
    return stream;
  };
  const signal = (context, stream) => {
    const m = ours.get(stream);
    const src = m.buffer
      ? new AudioBufferSourceNode(context, { buffer: m.buffer, loop: true })
      : new OscillatorNode(context, { frequency: mic.frequency });
    const out = new GainNode(context, { gain: m.buffer ? 1 : mic.amplitude });
    src.connect(out);
    src.start();
    m.sources.push(src);
    Object.defineProperty(out, 'mediaStream', { value: stream }); // as the node it stands for
    // Stopping every track stops the signal, as a real device would stop.
    for (const t of stream.getTracks()) {
      if (t.__ptStop) continue;
      const stop = t.stop.bind(t);
      t.__ptStop = true;
      t.stop = () => {
        stop();
        if (stream.getTracks().every((x) => x.readyState === 'ended'))
          for (const s of m.sources) s.stop();
      };
    }
    return out;
  };
  const create = AudioContext.prototype.createMediaStreamSource;
  AudioContext.prototype.createMediaStreamSource = function (stream) {
    return ours.has(stream) ? signal(this, stream) : create.call(this, stream);
  };
  const Node = window.MediaStreamAudioSourceNode;
  window.MediaStreamAudioSourceNode = function MediaStreamAudioSourceNode(context, options) {
    return ours.has(options?.mediaStream)
      ? signal(context, options.mediaStream)
      : new Node(context, options);
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Page {
  constructor(driver) {
    this.driver = driver;
  }

  goto(url) {
    return this.driver.goto(url);
  }

  /** Runs `fn(arg)` in the page (awaited there); resolves with its result. */
  evaluate(fn, arg) {
    return this.driver.evaluate(fn, arg);
  }

  /** Polls `fn(arg)` in the page until it is truthy; rejects after `timeout` ms. */
  async waitForFunction(fn, arg, { timeout = 30_000, polling = 50 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = await this.driver.evaluate(fn, arg);
      if (v) return v;
      if (Date.now() > deadline)
        throw new Error(
          `waitForFunction: ${timeout} ms passed waiting for ${String(fn).slice(0, 200)}`,
        );
      await sleep(polling);
    }
  }

  waitForTimeout(ms) {
    return sleep(ms);
  }

  textContent(sel) {
    return this.evaluate((s) => {
      const el = document.querySelector(s);
      if (!el) throw new Error(`no element ${s}`);
      return el.textContent;
    }, sel);
  }

  getAttribute(sel, name) {
    return this.evaluate(
      ([s, n]) => {
        const el = document.querySelector(s);
        if (!el) throw new Error(`no element ${s}`);
        return el.getAttribute(n);
      },
      [sel, name],
    );
  }

  click(sel) {
    return this.driver.click(sel);
  }
  fill(sel, text) {
    return this.driver.fill(sel, text);
  }
  press(sel, key) {
    return this.driver.press(sel, key);
  }
  setInputFiles(sel, file) {
    return this.driver.setInputFiles(sel, file);
  }
  screenshot({ path, fullPage = false }) {
    return this.driver.screenshot(path, fullPage);
  }
  setViewportSize(size) {
    return this.driver.setViewportSize(size);
  }
  addInitScript(fn) {
    return this.driver.addInitScript(fn);
  }
  /** Console messages since the last call: `[{ type, text }]`. */
  takeConsole() {
    return this.driver.takeConsole();
  }
  /** Follows the download link `sel` as a user would: `{ bytes: Buffer, filename }`. */
  download(sel) {
    return this.driver.download(sel);
  }
}

/**
 * What a download link (`<a href="blob:…" download="name">`) offers, read from the Blob the
 * page made (pageHooks keeps it): `{ bytes, filename }`.
 */
export async function blobDownload(page, sel) {
  const r = await page.evaluate(async (s) => {
    const a = document.querySelector(s);
    const blob = window.__ptBlobs.get(a.href);
    if (!blob) throw new Error(`no Blob behind ${a.href}`);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
      bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { base64: btoa(bin), filename: a.download };
  }, sel);
  return { bytes: Buffer.from(r.base64, 'base64'), filename: r.filename };
}
