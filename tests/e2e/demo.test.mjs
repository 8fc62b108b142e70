// The demo page from the built package, under the server's strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, artifacts } from './harness.mjs';

let h;
before(async () => { h = await launch(); });
after(async () => { await h?.close(); });

test('demo: the test tone flows through the tap under a strict CSP', async () => {
  const res = await h.page.goto(`${h.url}/`);
  assert.match(res.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  await h.page.click('#tone');
  await h.page.waitForFunction(() => /running/.test(document.getElementById('status').textContent), null, { timeout: 5000 })
    .catch(async (e) => { throw new Error(`${e.message}; status: ${await h.page.textContent('#status')}`); });
  await h.page.waitForTimeout(1500);
  const text = await h.page.textContent('#levelText');
  const db = Number(text.match(/(-?\d+\.\d) dBFS/)[1]);
  // A 0.3-amplitude sine: RMS 0.212, -13.5 dBFS.
  assert.ok(Math.abs(db + 13.5) < 0.5, text);
  const messages = await h.page.evaluate(() => Number([...document.querySelectorAll('#stats td')]
    .find((td, i, all) => all[i - 1]?.textContent === 'messages')?.textContent));
  assert.ok(messages > 30, `messages ${messages}`);
  assert.equal(await h.page.textContent('#note'), 'A4');
  assert.match(await h.page.textContent('#pitchText'), /pitch: 44\d\.\d Hz/);
  await h.page.screenshot({ path: join(artifacts, 'demo.png') });
  await h.page.click('#stop');
  await h.page.waitForFunction(() => document.getElementById('status').textContent === 'idle');
  assert.deepEqual(h.errors.map(String), []);
});
