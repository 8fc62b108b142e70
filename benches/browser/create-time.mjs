// How long `await PitchTap.create(context)` takes on a page that has not loaded pitchtap
// yet (cold: it compiles the wasm and loads the worklet module), and after
// `PitchTap.preload(context)` ran at page load (warm: only the node and its wasm instance).
// A fresh page load per trial. Usage: node benches/browser/create-time.mjs [trials, default 7]
// (PITCHTAP_ENGINE picks the engine, default chromium).
import { launch, gotoPage, median } from '../../tests/e2e/harness.mjs';

const trials = Number(process.argv[2] ?? 7);
const h = await launch();
const times = { cold: [], preloaded: [] };
for (let i = 0; i < trials; i++) {
  for (const kind of ['cold', 'preloaded']) {
    await gotoPage(h, 'settle');
    const ms = await h.page.evaluate(async (preload) => {
      const { PitchTap } = await import('/pkg/index.js');
      const ctx = new AudioContext();
      if (preload) await PitchTap.preload(ctx);
      const t0 = performance.now();
      const tap = await PitchTap.create(ctx);
      const t = performance.now() - t0;
      await tap.close();
      await ctx.close();
      return t;
    }, kind === 'preloaded');
    times[kind].push(ms);
  }
}
await h.close();
const f = (xs) =>
  `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
console.log(
  `${process.env.PITCHTAP_ENGINE ?? 'chromium'}, ${trials} fresh page loads each: create() cold ${f(times.cold)}, after preload(context) ${f(times.preloaded)}`,
);
