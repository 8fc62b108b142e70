// Writes pkg/index.js, the package entry: js/pitchtap.js and the modules of js/main/ it
// imports, bundled by rolldown (a dev dependency) into ONE ES module. Kept as written, and
// checked here, so that the entry works the same from a plain page and from a bundler:
//
//   - its only import is the wasm-bindgen glue beside it, `./pitchtap_wasm.js` (external);
//   - it finds the wasm and the worklet with `new URL('./pitchtap_wasm_bg.wasm',
//     import.meta.url)` and `new URL('./worklet.js', import.meta.url)`, the form bundlers
//     such as Vite look for to copy those files as assets (rolldown leaves it alone unless
//     told to resolve it).
//
// usage: node scripts/bundle-main.mjs   (after wasm-pack has written pkg/, before
// scripts/package.mjs and scripts/minify.mjs)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(root, 'js', 'pitchtap.js');
const OUT = join(root, 'pkg', 'index.js');
const GLUE = './pitchtap_wasm.js';
const ASSETS = ['./pitchtap_wasm_bg.wasm', './worklet.js'];

const fail = (msg) => {
  console.error(`bundle-main: ${msg}`);
  process.exit(1);
};

const bundle = await rolldown({
  input: ENTRY,
  platform: 'browser',
  plugins: [
    {
      // The glue is not in js/: it is wasm-pack's output, shipped beside pkg/index.js, so
      // its specifier stays as written (not made relative to the importing file).
      name: 'glue-beside-the-bundle',
      resolveId: (id) => (id === GLUE ? { id: GLUE, external: 'absolute' } : null),
    },
  ],
  logLevel: 'warn',
  onLog: (level, log) => fail(`${level}: ${log.message}`),
});
const { output } = await bundle.generate({ format: 'es' });
await bundle.close();

if (output.length !== 1 || output[0].type !== 'chunk')
  fail(`expected one chunk, got ${output.map((o) => o.fileName).join(', ')}`);
const { code, exports } = output[0];
const specifiers = [...code.matchAll(/\b(?:import|export)\b[^;'"`]*?\bfrom\s*(['"`])(.*?)\1/g)].map(
  (m) => m[2],
);
if (specifiers.length === 0 || specifiers.some((s) => s !== GLUE))
  fail(`pkg/index.js must import ${GLUE} and nothing else; it imports ${specifiers.join(', ')}`);
if (/\bimport\s*\(/.test(code)) fail('pkg/index.js must not import() anything');
for (const asset of ASSETS) {
  const url = new RegExp(
    `new URL\\((['"\`])${asset.replace(/\./g, '\\.')}\\1, import\\.meta\\.url\\)`,
  );
  if (!url.test(code)) fail(`pkg/index.js lost \`new URL('${asset}', import.meta.url)\``);
}
writeFileSync(OUT, code);
console.log(
  `bundle-main: pkg/index.js (${code.length} bytes, one module; exports ${exports.join(', ')})`,
);
