// Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi (never a downloaded
// browser). A live AudioContext in Firefox needs an audio output: without a sound device it
// stays 'suspended' and resume() never settles, so a PulseAudio null sink is started first
// (pulse.mjs). The microphone is a mock (page.mjs, pageHooks) unless `fakeDevice` asks for
// Firefox's own fake device: a sine of peak 0.1 at `media.navigator.audio.fake_frequency`.
import puppeteer from 'puppeteer-core';
import { blobDownload, pageHooks } from './page.mjs';
import { ensurePulse } from './pulse.mjs';

export const name = 'firefox';
export const executable = '/usr/lib/firefox-esr/firefox-esr';
/** Peak amplitude of Firefox's fake microphone (a fixed sine; only its frequency is a pref). */
export const FAKE_DEVICE_AMPLITUDE = 0.1;

export async function launchBrowser({ fakeFrequency = 1000 } = {}) {
  const env = await ensurePulse();
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: executable,
    headless: true,
    // The viewport Playwright gives Chromium, so that a page lays out the same in each engine.
    defaultViewport: { width: 1280, height: 720 },
    env: { ...process.env, ...env },
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.navigator.audio.fake_frequency': fakeFrequency,
      'media.autoplay.default': 0,
      'media.autoplay.block-webaudio': false,
      'media.autoplay.blocking_policy': 0,
      // performance.now() to the microsecond, as in the other engines (Firefox rounds it to
      // 1 ms by default where the page is not cross-origin isolated): the benches time with it.
      'privacy.reduceTimerPrecision': false,
      // A live AudioContext's default rate, which otherwise follows the output device (the
      // null sink gave 48000 in one run and 44100 in the next): 44100, as Chromium and WebKit here.
      'media.cubeb.force_sample_rate': 44100,
    },
  });
}

/** A driver for page.mjs. `mic`: the mock microphone (page.mjs) or null. */
export async function open({ mic, fakeFrequency, errors }) {
  const browser = await launchBrowser({ fakeFrequency });
  const page = await browser.newPage();
  const consoleMessages = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => {
    consoleMessages.push({ type: m.type(), text: m.text() });
    if (m.type() === 'error') errors.push(new Error(m.text()));
  });
  await page.evaluateOnNewDocument(pageHooks, mic ?? null);
  return {
    raw: page,
    browser,
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    async goto(url) {
      const res = await page.goto(url);
      return { status: res.status(), headers: res.headers() };
    },
    click: (sel) => page.click(sel),
    async fill(sel, text) {
      await page.$eval(sel, (el) => {
        el.value = '';
      });
      await page.type(sel, String(text));
    },
    async press(sel, key) {
      await page.focus(sel);
      await page.keyboard.press(key);
    },
    async setInputFiles(sel, file) {
      await (await page.$(sel)).uploadFile(file);
    },
    screenshot: (path, fullPage) => page.screenshot({ path, fullPage }),
    setViewportSize: (size) => page.setViewport(size),
    addInitScript: (fn) => page.evaluateOnNewDocument(fn),
    takeConsole: async () => consoleMessages.splice(0),
    download(sel) {
      return blobDownload(this, sel);
    },
    onRequest: (fn) => page.on('request', (r) => fn(r.url())),
    close: () => browser.close(),
  };
}
