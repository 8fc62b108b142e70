// Turns wasm-pack's output in pkg/ into the npm package `pitchtap`: adds the main-thread
// API (index.js), the worklet module and its shim, and writes package.json with exports.
import { copyFileSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"$`, 'm'))[1];

const files = {
  'src/wasm/pitchtap.js': 'index.js',
  'worklet/processor.js': 'worklet.js',
  'worklet/text-shim.js': 'text-shim.js',
};
for (const [from, to] of Object.entries(files)) copyFileSync(join(root, from), join(pkg, to));
for (const f of ['index.d.ts']) {
  if (existsSync(join(root, 'src/wasm', f))) copyFileSync(join(root, 'src/wasm', f), join(pkg, f));
}
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'README.md']) {
  if (existsSync(join(root, f))) copyFileSync(join(root, f), join(pkg, f));
}
rmSync(join(pkg, '.gitignore'), { force: true }); // wasm-pack's "*" would hide the package from git-based installs

const manifest = {
  name: 'pitchtap',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  main: './index.js',
  types: existsSync(join(pkg, 'index.d.ts')) ? './index.d.ts' : undefined,
  exports: {
    '.': existsSync(join(pkg, 'index.d.ts'))
      ? { types: './index.d.ts', default: './index.js' }
      : './index.js',
    './worklet.js': './worklet.js',
    './pitchtap_wasm_bg.wasm': './pitchtap_wasm_bg.wasm',
    './package.json': './package.json',
  },
  files: Object.values(files).concat([
    'pitchtap_wasm.js', 'pitchtap_wasm.d.ts', 'pitchtap_wasm_bg.wasm', 'pitchtap_wasm_bg.wasm.d.ts',
    'index.d.ts', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'snippets',
  ]).filter((f) => existsSync(join(pkg, f))),
  sideEffects: false,
  keywords: ['audio', 'pitch', 'webaudio', 'audioworklet', 'wasm', 'tuner', 'volume'],
  repository: { type: 'git', url: field('repository') },
};
writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`package: pkg/ holds pitchtap@${manifest.version} (${manifest.files.length} files)`);
