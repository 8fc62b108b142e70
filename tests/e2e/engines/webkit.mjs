// WebKitGTK (Safari's engine), Debian's MiniBrowser driven by WebKitWebDriver over W3C
// WebDriver (classic). WebKitGTK has no headless mode: the driver runs under `xvfb-run -a`.
// WebDriver classic has no init scripts and no console or error events, so the test servers
// put the init scripts into every HTML page they serve (attachServer: a classic script at the
// top of the document, which runs before the page's own module scripts), and every
// evaluate() brings back what the error and console recorder saw. The microphone is a mock
// (page.mjs) unless `fakeDevice` asks for WebKit's own mock capture device (a bip-bop: a
// short 1500 Hz beep, then a 150 Hz tone).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { blobDownload, pageHooks, sleep } from './page.mjs';

export const name = 'webkit';
export const executable = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const DRIVER = '/usr/bin/WebKitWebDriver';

/** A free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A W3C WebDriver session: `cmd(method, path, body)` against /session/{id}. */
export async function webdriverSession(capabilities) {
  const port = await freePort();
  const driver = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1280x1024x24', DRIVER, `--port=${port}`],
    { stdio: 'ignore', detached: true },
  );
  // Never keep node alive for it, and never outlive node (its own process group: kill it all).
  driver.unref();
  const killGroup = () => {
    try {
      process.kill(-driver.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killGroup);
  const base = `http://127.0.0.1:${port}`;
  const request = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await res.json();
    if (!res.ok)
      throw new Error(`WebDriver ${method} ${path}: ${j.value?.error}: ${j.value?.message}`);
    return j.value;
  };
  let up = false;
  for (let i = 0; i < 200 && !up; i++) {
    try {
      await request('GET', '/status');
      up = true;
    } catch {
      await sleep(50);
    }
  }
  if (!up) {
    killGroup();
    throw new Error('WebKitWebDriver did not start');
  }
  const s = await request('POST', '/session', { capabilities: { alwaysMatch: capabilities } });
  const id = s.sessionId;
  await request('POST', `/session/${id}/timeouts`, { script: 900_000, pageLoad: 60_000 });
  return {
    version: s.capabilities.browserVersion,
    cmd: (method, path, body) => request(method, `/session/${id}${path}`, body),
    async close() {
      try {
        await request('DELETE', `/session/${id}`);
      } catch {
        /* already gone */
      }
      killGroup();
      process.off('exit', killGroup);
    },
  };
}

/**
 * Values cross WebDriver as JSON: NaN, ±Infinity, -0 and undefined are tagged on the way
 * out of the page (encode, run there) and restored here (decode), as Playwright does.
 */
function encodeInPage(v) {
  return (
    JSON.stringify(v, function (k, x) {
      const raw = this[k];
      if (typeof raw === 'number' && !Number.isFinite(raw)) return { __pt: String(raw) };
      if (typeof raw === 'number' && Object.is(raw, -0)) return { __pt: '-0' };
      if (raw === undefined) return { __pt: 'undefined' };
      if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) return Array.from(raw);
      return x;
    }) ?? '{"__pt":"undefined"}'
  );
}
const SPECIAL = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0, undefined };
/** The same tagging for arguments on their way in (decoded in the page by `revive`). */
const encodeHere = encodeInPage;
function revive(text) {
  const SPECIAL_IN = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0, undefined };
  return JSON.parse(text, (k, x) =>
    x && typeof x === 'object' && Object.keys(x).length === 1 && typeof x.__pt === 'string'
      ? SPECIAL_IN[x.__pt]
      : x,
  );
}

/** Where the test servers serve the init scripts (attachServer). */
const INIT_PATH = '/__pitchtap-test-init.js';
function decode(text) {
  const undef = Symbol('undefined');
  const walk = (x) => {
    if (x === null || typeof x !== 'object') return x;
    if (Object.keys(x).length === 1 && typeof x.__pt === 'string')
      return x.__pt === 'undefined' ? undef : SPECIAL[x.__pt];
    if (Array.isArray(x))
      return x.map((y) => {
        const w = walk(y);
        return w === undef ? undefined : w;
      });
    const out = {};
    for (const [k, y] of Object.entries(x)) {
      const w = walk(y);
      if (w !== undef) out[k] = w;
    }
    return out;
  };
  const v = walk(JSON.parse(text));
  return v === undef ? undefined : v;
}

/** Records page errors and console messages (run after each navigation). */
function recorder() {
  if (window.__ptRec) return;
  const rec = (window.__ptRec = { errors: [], console: [] });
  const text = (args) =>
    args
      .map((a) =>
        typeof a === 'string'
          ? a
          : (() => {
              try {
                return JSON.stringify(a);
              } catch {
                return String(a);
              }
            })(),
      )
      .join(' ');
  for (const type of ['log', 'info', 'warn', 'error', 'debug']) {
    const orig = console[type].bind(console);
    console[type] = (...args) => {
      rec.console.push({ type: type === 'warn' ? 'warning' : type, text: text(args) });
      if (type === 'error') rec.errors.push(text(args));
      orig(...args);
    };
  }
  window.addEventListener('error', (e) => rec.errors.push(String(e.error ?? e.message)));
  window.addEventListener('unhandledrejection', (e) => rec.errors.push(String(e.reason)));
}

/** Puts `<script src=INIT_PATH>` first into an HTML response (buffered until its end). */
function injectInto(res) {
  const { writeHead, end } = res;
  let html = false;
  res.writeHead = function (status, headers = {}) {
    const type =
      Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    html = /text\/html/.test(type);
    return writeHead.call(this, status, headers);
  };
  res.end = function (body, ...rest) {
    if (html && body) {
      const text = body.toString('utf8');
      const tag = `<script src="${INIT_PATH}"></script>`;
      const at = text.search(/<head[^>]*>/i);
      const out =
        at >= 0
          ? text.replace(/<head[^>]*>/i, (m) => m + tag)
          : text.replace(/^(<!doctype[^>]*>)?/i, (m) => m + tag);
      return end.call(this, out, ...rest);
    }
    return end.call(this, body, ...rest);
  };
}

const KEYS = { Enter: '\uE007', Tab: '\uE004', Escape: '\uE00C' };

/** A driver for page.mjs. `mic`: the mock microphone (page.mjs) or null. */
export async function open({ mic, errors }) {
  const session = await webdriverSession({
    'webkitgtk:browserOptions': {
      binary: executable,
      args: [
        '--automation',
        '--autoplay-policy=allow',
        '--enable-media-stream=true',
        '--enable-mock-capture-devices=true',
      ],
    },
  });
  const { cmd } = session;
  const initScripts = [
    [pageHooks, mic ?? null],
    [recorder, null],
  ];
  const consoleMessages = [];

  // Runs `fn(arg)` in the page; returns its value and collects what the recorder saw.
  async function run(fn, arg) {
    const script = `const done = arguments[arguments.length - 1];
      const encode = ${encodeInPage.toString()};
      const revive = ${revive.toString()};
      const take = () => { const r = window.__ptRec; return r ? { errors: r.errors.splice(0), console: r.console.splice(0) } : { errors: [], console: [] }; };
      Promise.resolve().then(() => (${fn.toString()})(revive(arguments[0]))).then(
        (v) => done(JSON.stringify({ ok: encode(v), rec: take() })),
        (e) => done(JSON.stringify({ err: String(e && e.stack ? e.message + '\\n' + e.stack : e), rec: take() })));`;
    const reply = JSON.parse(
      await cmd('POST', '/execute/async', { script, args: [encodeHere(arg ?? null)] }),
    );
    for (const e of reply.rec.errors) errors.push(new Error(e));
    consoleMessages.push(...reply.rec.console);
    if ('err' in reply) throw new Error(`evaluate: ${reply.err}`);
    return decode(reply.ok);
  }

  const element = async (sel) => {
    const v = await cmd('POST', '/element', { using: 'css selector', value: sel });
    return Object.values(v)[0];
  };

  const driver = {
    version: session.version,
    evaluate: run,
    async goto(url) {
      await cmd('POST', '/url', { url });
      // Two frames after the load: a click sent right after navigating was lost one time in
      // two (measured: 2 of 4 fresh windows), one sent after a frame never.
      await run(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      // WebDriver does not show the response: ask the server the same question (its headers
      // do not depend on the browser asking).
      const res = await fetch(url);
      await res.arrayBuffer();
      return { status: res.status, headers: Object.fromEntries(res.headers) };
    },
    async click(sel) {
      await cmd('POST', `/element/${await element(sel)}/click`, {});
    },
    async fill(sel, text) {
      const el = await element(sel);
      await cmd('POST', `/element/${el}/clear`, {});
      await cmd('POST', `/element/${el}/value`, { text: String(text) });
    },
    async press(sel, key) {
      await cmd('POST', `/element/${await element(sel)}/value`, { text: KEYS[key] ?? key });
    },
    async setInputFiles(sel, file) {
      await cmd('POST', `/element/${await element(sel)}/value`, { text: file });
    },
    async screenshot(path) {
      await writeFile(path, Buffer.from(await cmd('GET', '/screenshot'), 'base64'));
    },
    async setViewportSize({ width, height }) {
      // WebDriver sets the window; correct for the browser's frame by what the page sees.
      await cmd('POST', '/window/rect', { width, height });
      const inner = await run(() => [window.innerWidth, window.innerHeight]);
      await cmd('POST', '/window/rect', {
        width: width + (width - inner[0]),
        height: height + (height - inner[1]),
      });
    },
    async addInitScript(fn) {
      initScripts.push([fn, null]);
    },
    /**
     * Makes `server` (a node:http server) serve the init scripts at INIT_PATH and load them
     * first in every HTML page it serves.
     */
    attachServer(server) {
      const handlers = server.listeners('request');
      server.removeAllListeners('request');
      server.on('request', (req, res) => {
        if (new URL(req.url, 'http://x').pathname === INIT_PATH) {
          const body = initScripts
            .map(([fn, arg]) => `(${fn.toString()})(${JSON.stringify(arg)});`)
            .join('\n');
          res
            .writeHead(200, {
              'Content-Type': 'text/javascript; charset=utf-8',
              'Cache-Control': 'no-store',
            })
            .end(body);
          return;
        }
        injectInto(res);
        for (const h of handlers) h.call(server, req, res);
      });
    },
    async takeConsole() {
      await run(() => 0); // collect what the recorder holds
      return consoleMessages.splice(0);
    },
    download(sel) {
      return blobDownload(driver, sel);
    },
    close: () => session.close(),
  };
  // The viewport Playwright gives Chromium, so that a page lays out the same in each engine.
  await cmd('POST', '/url', { url: 'about:blank' });
  await driver.setViewportSize({ width: 1280, height: 720 });
  return driver;
}
