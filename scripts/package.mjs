// Turns wasm-pack's output in pkg/ into the npm package `pitchtap`: adds the main-thread
// API's types (index.d.ts and types/, from js/), and writes package.json with exports. Every
// file it copies or lists must exist: a missing one fails the build (exit 1, naming the
// file) instead of shipping a package without it. pkg/worklet.js and pkg/index.js are
// written before this script by scripts/bundle-worklet.mjs (which reads the whole glue;
// this script then drops the worklet's class from the main thread's copy) and
// scripts/bundle-main.mjs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropClasses, dropDeclaredClasses } from './glue-classes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"$`, 'm'))[1];
const fail = (msg) => {
  console.error(`package: ${msg}`);
  process.exit(1);
};

const copied = {
  'LICENSE-MIT': 'LICENSE-MIT',
  'LICENSE-APACHE': 'LICENSE-APACHE',
  'README.md': 'README.md',
};
// The API's declarations: js/index.d.ts and every file its relative imports and re-exports
// reach (types/*.d.ts, which import one another), so that one left out of the package fails
// here rather than in a consumer's tsc.
const declarations = ['index.d.ts'];
for (let i = 0; i < declarations.length; i++) {
  const file = join(root, 'js', declarations[i]);
  if (!existsSync(file)) fail(`missing js/${declarations[i]} (declarations reach it)`);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']*)\.js'/g)) {
    const reached = posix.join(posix.dirname(declarations[i]), `${spec}.d.ts`);
    if (!declarations.includes(reached)) declarations.push(reached);
  }
}
for (const d of declarations) copied[`js/${d}`] = d;
rmSync(join(pkg, 'types'), { recursive: true, force: true }); // no declaration of an older build
for (const [from, to] of Object.entries(copied)) {
  if (!existsSync(join(root, from))) fail(`missing ${from} (copied to pkg/${to})`);
  mkdirSync(dirname(join(pkg, to)), { recursive: true });
  copyFileSync(join(root, from), join(pkg, to));
}
// The main thread's glue and its types without the worklet's class (WorkletTap lives in
// worklet.js, which has its own copy of the glue and declares no types).
const MAIN_CLASSES = ['MainTap', 'PitchAnalysis'];
for (const [file, drop] of [
  ['pitchtap_wasm.js', dropClasses],
  ['pitchtap_wasm.d.ts', dropDeclaredClasses],
]) {
  if (!existsSync(join(pkg, file))) fail(`missing pkg/${file} (written by wasm-pack)`);
  writeFileSync(join(pkg, file), drop(readFileSync(join(pkg, file), 'utf8'), MAIN_CLASSES, fail));
}
rmSync(join(pkg, '.gitignore'), { force: true }); // wasm-pack's "*" would hide the package from git-based installs
// Left by builds from before the worklet was bundled: the bundle holds the shim now.
rmSync(join(pkg, 'text-shim.js'), { force: true });

const files = [
  // Written by scripts/bundle-worklet.mjs and scripts/bundle-main.mjs before this script.
  'worklet.js',
  'index.js',
  ...Object.values(copied),
  // Written by wasm-pack; snippets/ holds js/worklet/post-batch.js, which the glue imports.
  'pitchtap_wasm.js',
  'pitchtap_wasm.d.ts',
  'pitchtap_wasm_bg.wasm',
  'pitchtap_wasm_bg.wasm.d.ts',
  'snippets',
];
for (const f of files)
  if (!existsSync(join(pkg, f))) fail(`missing pkg/${f}, which the package lists`);
const manifest = {
  name: 'pitchtap',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  main: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './worklet.js': './worklet.js',
    './pitchtap_wasm_bg.wasm': './pitchtap_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files,
  sideEffects: false,
  keywords: ['audio', 'pitch', 'webaudio', 'audioworklet', 'wasm', 'tuner', 'volume'],
  repository: { type: 'git', url: field('repository') },
};
writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`package: pkg/ holds pitchtap@${manifest.version} (${manifest.files.length} files)`);
