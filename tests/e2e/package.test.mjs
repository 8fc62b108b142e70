// The npm package works in a real app: `npm pack` the built pkg/, then
//  (a) install the tarball into a copy of tests/fixtures/vite-app, build it with Vite and
//      serve its dist/;
//  (b) serve tests/fixtures/importmap with the unpacked tarball under /vendor/pitchtap/ and
//      an import map, no bundler;
// and in both, with a fake microphone playing 440 Hz, see voiced `pitch` events at 440 Hz.
// Both sites are served with the repo's strict Content-Security-Policy (the inline import
// map allowed by its hash), so a worklet or wasm inlined as a data: URL fails here too.
// Everything is made in a temp dir; nothing is written into the repo but tests/artifacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { launch, root, withoutDropouts } from './harness.mjs';
import { CSP } from '../../scripts/serve.mjs';

const fixtures = join(root, 'tests', 'fixtures');
const npmEnv = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
const open = [];

/** Runs a command; if it fails, the error says what it printed. */
function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${e.status}):\n${e.stdout}${e.stderr}`, {
      cause: e,
    });
  }
}

let work;
let tarball;
let unpacked;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'pitchtap-package-'));
  const out = run(
    'npm',
    ['pack', join(root, 'pkg'), '--pack-destination', work, '--ignore-scripts', '--json'],
    { env: npmEnv },
  );
  tarball = join(work, JSON.parse(out)[0].filename);
  unpacked = join(work, 'unpacked');
  mkdirSync(unpacked);
  run('tar', ['-xzf', tarball, '-C', unpacked]);
});

after(async () => {
  for (const h of open) await h.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Serves `dir` on a loopback port with the given CSP. Returns the server; its `served` lists
 * every request as `STATUS /path` (the AudioWorklet's fetches included, which the page's
 * request events do not show).
 */
function serveDir(dir, csp) {
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    res.on('finish', () => served.push(`${res.statusCode} ${path}`));
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) && file !== dir) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res
        .writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': csp,
          'Cache-Control': 'no-store',
        })
        .end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  server.served = served;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Opens `site` (a directory) in Chromium with the fake microphone playing 440 Hz, waits
 * for the app to run for `seconds` and returns its pitch events, what the server served
 * and the errors the page logged.
 */
async function runSite(site, csp, seconds = 2) {
  const h = await launch({ mic: { frequency: 440 } });
  open.push(h);
  const server = await serveDir(site, csp);
  h.serve(server);
  open.push({ close: () => new Promise((r) => server.close(r)) });
  await h.page.goto(`http://127.0.0.1:${server.address().port}/`);
  await h.page.waitForFunction(
    () => ['running', 'failed'].includes(document.getElementById('status')?.textContent),
    null,
    { timeout: 30_000 },
  );
  // A data: URL in an error message can be tens of kB: shorten it.
  const failure = await h.page.evaluate(
    () => window.failure?.replace(/(data:[^,]{0,40},.{40}).{40,}?(\s|$)/g, '$1…$2') ?? null,
  );
  if (failure === null) await h.page.waitForTimeout(seconds * 1000);
  const pitches = await h.page.evaluate(() => window.pitches);
  const dropouts = await h.page.evaluate(() => window.dropouts ?? []);
  return {
    failure,
    pitches,
    dropouts,
    served: server.served,
    errors: h.errors.map(String),
    page: h.page,
  };
}

function assertHears440({ failure, pitches, dropouts, served, errors }) {
  assert.equal(failure, null, `the app failed: ${failure}\nserved:\n${served.join('\n')}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    served.filter((s) => !s.startsWith('200 ')),
    [],
    'every request found its file',
  );
  const settled = pitches.filter((p) => p.time > pitches[0].time + 0.2);
  assert.ok(settled.length > 100, `${settled.length} estimates after the first 0.2 s`);
  // Left out: estimates whose window (2048 frames, ≤ 48 kHz) held a fake-mic dropout.
  const clean = withoutDropouts(settled, dropouts, 1024 / 44100, 1024 / 44100, 'estimates');
  const voiced = clean.filter((p) => p.voiced);
  assert.ok(voiced.length >= 0.95 * clean.length, `${voiced.length} of ${clean.length} voiced`);
  for (const p of voiced) {
    assert.ok(Math.abs(p.frequency / 440 - 1) < 0.01, `${p.frequency} Hz`);
    assert.equal(p.note, 'A4');
  }
}

test('the tarball holds the package files and a package.json whose exports resolve', () => {
  const dir = join(unpacked, 'package');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'pitchtap');
  assert.equal(manifest.types, './index.d.ts');
  for (const target of [
    manifest.main,
    manifest.types,
    ...Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'string' ? [e] : Object.values(e),
    ),
  ]) {
    assert.ok(statSync(join(dir, target)).isFile(), `${target} is in the tarball`);
  }
  const files = readdirSync(dir);
  for (const f of [
    'index.js',
    'index.d.ts',
    'worklet.js',
    'pitchtap_wasm_bg.wasm',
    'LICENSE-MIT',
    'LICENSE-APACHE',
    'README.md',
  ]) {
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  }
});

let installed = null;
/** A temp copy of tests/fixtures/vite-app with the tarball installed (once). */
function viteApp() {
  if (installed) return installed;
  const app = join(work, 'vite-app');
  cpSync(join(fixtures, 'vite-app'), app, {
    recursive: true,
    filter: (src) => !/(node_modules|dist)$/.test(src),
  });
  // Saved in the copy's package.json as `file:../pitchtap-<version>.tgz`: nothing to
  // fetch, so it installs offline.
  run('npm', ['install', '--offline', '--ignore-scripts', tarball], { cwd: app, env: npmEnv });
  installed = app;
  return app;
}

test("TypeScript finds the types through the installed package's exports", () => {
  const app = viteApp();
  // tests/types/consumer.ts against node_modules/pitchtap, resolved as a bundler would.
  cpSync(join(root, 'tests', 'types', 'consumer.ts'), join(app, 'consumer.ts'));
  const tsconfig = JSON.parse(
    readFileSync(join(root, 'tests', 'types', 'tsconfig.json'), 'utf8').replace(
      /^\s*\/\/.*$/gm,
      '',
    ),
  );
  delete tsconfig.compilerOptions.paths;
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', app]);
});

test(
  'a Vite app built from the installed tarball hears 440 Hz through the microphone',
  { timeout: 180_000 },
  async () => {
    const app = viteApp();
    run(join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: app });
    const r = await runSite(join(app, 'dist'), CSP);
    assertHears440(r);
    // Vite emitted the worklet and the wasm as files of the app, fetched from its origin.
    for (const re of [
      /^200 \/assets\/worklet-[\w-]+\.js$/,
      /^200 \/assets\/pitchtap_wasm_bg-[\w-]+\.wasm$/,
    ]) {
      assert.ok(
        r.served.some((s) => re.test(s)),
        `${re} in\n${r.served.join('\n')}`,
      );
    }
  },
);

let importmapRun = null;
/** The import-map site, run once (its page stays open for the next test). */
async function importmapSite() {
  if (importmapRun) return importmapRun;
  const site = join(work, 'importmap');
  cpSync(join(fixtures, 'importmap'), site, { recursive: true });
  // The same app module as the Vite app: only how `pitchtap` is found differs.
  cpSync(join(fixtures, 'vite-app', 'main.js'), join(site, 'main.js'));
  cpSync(join(unpacked, 'package'), join(site, 'vendor', 'pitchtap'), { recursive: true });
  const html = readFileSync(join(site, 'index.html'), 'utf8');
  const map = html.match(/<script type="importmap">([\s\S]*?)<\/script>/)[1];
  const hash = createHash('sha256').update(map).digest('base64');
  const csp = CSP.replace("script-src 'self'", `script-src 'self' 'sha256-${hash}'`);
  assert.notEqual(csp, CSP, 'the CSP has a script-src to add the hash to');
  importmapRun = await runSite(site, csp);
  return importmapRun;
}

test(
  'a plain page with an import map and the unpacked tarball hears 440 Hz',
  { timeout: 120_000 },
  async () => {
    const r = await importmapSite();
    assertHears440(r);
    for (const f of [
      '/vendor/pitchtap/index.js',
      '/vendor/pitchtap/worklet.js',
      '/vendor/pitchtap/pitchtap_wasm_bg.wasm',
    ]) {
      assert.ok(r.served.includes(`200 ${f}`), `${f} in\n${r.served.join('\n')}`);
    }
  },
);

/**
 * The package's declarations as one text: index.d.ts and every file its relative imports and
 * re-exports reach (types/*.d.ts).
 */
function declarations(dir, file = 'index.d.ts', seen = new Set()) {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(join(dir, file), 'utf8');
  const reached = [...text.matchAll(/\bfrom '(\.{1,2}\/[^']*)\.js'/g)].map((m) =>
    declarations(dir, join(dirname(file), `${m[1]}.d.ts`), seen),
  );
  return [text, ...reached].join('\n');
}

/**
 * The shape interface `name` of the declarations `dts` declares: `{ field: 'number' |
 * 'string' | 'boolean' | nested shape }`, following `extends` and fields typed by another
 * interface of `dts`.
 */
function declaredShape(dts, name) {
  const m = dts.match(
    new RegExp(`^export interface ${name}(?: extends (\\w+))? \\{\\n([\\s\\S]*?)^\\}`, 'm'),
  );
  assert.ok(m, `interface ${name} in the declarations`);
  const shape = m[1] ? declaredShape(dts, m[1]) : {};
  for (const [, key, type] of m[2].matchAll(/^ {2}(?:readonly )?(\w+)\??: (.+);$/gm)) {
    const inner = type.replace(/^Readonly<(\w+)>$/, '$1');
    const literals = /^'[^']*'(?: \| '[^']*')*$/.test(type); // e.g. 'worklet' | 'main'
    shape[key] = dts.includes(`export interface ${inner} `)
      ? declaredShape(dts, inner)
      : literals
        ? 'string'
        : type;
  }
  return shape;
}

/** The same shape, of a value the page returned. */
function runtimeShape(value) {
  if (value === null || typeof value !== 'object') return typeof value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, runtimeShape(v)]));
}

/** `path: type` lines of a shape, e.g. `pool.free: number`. */
function flatten(shape, prefix = '') {
  return Object.entries(shape).flatMap(([k, v]) =>
    typeof v === 'object' ? flatten(v, `${prefix}${k}.`) : [`${prefix}${k}: ${v}`],
  );
}

/** What differs between a value's shape and a declared one, as readable lines. */
function mismatches(what, value, declared) {
  const got = new Set(flatten(runtimeShape(value)));
  const want = new Set(flatten(declared));
  return [
    ...[...want].filter((f) => !got.has(f)).map((f) => `${what}: declared, not at run time: ${f}`),
    ...[...got].filter((f) => !want.has(f)).map((f) => `${what}: at run time, not declared: ${f}`),
  ];
}

test(
  'what the package returns at run time has exactly the fields its declarations declare',
  { timeout: 120_000 },
  async () => {
    const dts = declarations(join(unpacked, 'package'));
    const { page, failure } = await importmapSite();
    assert.equal(failure, null);
    const got = await page.evaluate(async () => {
      const { FLAGS, HEADER_BYTES, NOTE_NAMES } = await import('pitchtap');
      const { tap } = window;
      const stats = tap.stats();
      // An error event, from a deliberate panic on the main thread (the tap recovers).
      const error = new Promise((resolve) =>
        tap.addEventListener('error', (e) => resolve(e.detail), { once: true }),
      );
      await tap[Symbol.for('pitchtap.debugPanic')]('main');
      return {
        stats,
        latest: tap.latest,
        pitch: window.pitches[0],
        error: await error,
        FLAGS: { ...FLAGS },
        HEADER_BYTES,
        notes: NOTE_NAMES.length,
      };
    });
    assert.deepEqual(
      [
        ...mismatches('tap.stats()', got.stats, declaredShape(dts, 'PitchTapStats')),
        ...mismatches('tap.latest', got.latest, declaredShape(dts, 'PitchTapLatest')),
        ...mismatches('pitch event detail', got.pitch, declaredShape(dts, 'PitchEstimate')),
        ...mismatches('error event detail', got.error, declaredShape(dts, 'ErrorDetail')),
      ],
      [],
    );
    const flags = dts.match(/^export declare const FLAGS: Readonly<\{\n([\s\S]*?)^\}>;/m)[1];
    assert.deepEqual(
      got.FLAGS,
      Object.fromEntries(
        [...flags.matchAll(/^ {2}(\w+): (\d+);$/gm)].map(([, k, v]) => [k, Number(v)]),
      ),
    );
    assert.equal(typeof got.HEADER_BYTES, 'number');
    assert.equal(got.notes, 128);
  },
);
