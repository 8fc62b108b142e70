// Debian's Chromium, driven by playwright-core over CDP (never a downloaded browser).
// The microphone is Chromium's fake capture device playing a WAV (--use-file-for-fake-audio-capture).
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { pageHooks } from './page.mjs';

export const name = 'chromium';
export const executable = '/usr/bin/chromium';

/** The flags every launch uses; the browser benches use them too. */
export const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches Chromium; `micWav`: the WAV its fake microphone plays. `extraArgs`: more flags. */
export async function launchBrowser({ micWav, extraArgs = [] } = {}) {
  const args = [...FLAGS, ...extraArgs];
  if (micWav) {
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    );
  }
  return chromium.launch({ executablePath: executable, args });
}

/** A driver for page.mjs, over a new browser. `errors` collects page errors. */
export async function open({ micWav, errors, extraArgs }) {
  const browser = await launchBrowser({ micWav, extraArgs });
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleMessages = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    consoleMessages.push({ type: m.type(), text: m.text() });
    if (m.type() === 'error') errors.push(new Error(m.text()));
  });
  await page.addInitScript(pageHooks, null);
  return {
    raw: page,
    browser,
    async evaluate(fn, arg) {
      return page.evaluate(fn, arg);
    },
    async goto(url) {
      const res = await page.goto(url);
      return { status: res.status(), headers: res.headers() };
    },
    click: (sel) => page.click(sel),
    fill: (sel, text) => page.fill(sel, text),
    press: (sel, key) => page.press(sel, key),
    setInputFiles: (sel, file) => page.setInputFiles(sel, file),
    screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
    setViewportSize: (size) => page.setViewportSize(size),
    addInitScript: (fn) => page.addInitScript(fn),
    takeConsole: async () => consoleMessages.splice(0),
    async download(sel) {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(sel)]);
      return { bytes: await readFile(await d.path()), filename: d.suggestedFilename() };
    },
    /** A CDP session on this page (Chromium only: traces, heap and audio object counts). */
    cdp: () => context.newCDPSession(page),
    /** Every URL the page requested, from here on (Chromium and Firefox). */
    onRequest: (fn) => page.on('request', (r) => fn(r.url())),
    close: () => browser.close(),
  };
}
