// Minifies the JavaScript that pkg/ ships, in place: index.js, the wasm-bindgen glue, its
// snippets and worklet.js. Run by `make build` after scripts/bundle-worklet.mjs, which reads
// the glue unminified. Uses the oxc minifier that ships with rolldown (a dev dependency; the
// same minifier Vite uses for production builds). Exports keep their names; nothing else
// of the code is reachable by name from outside (no property mangling).
//
// usage: node scripts/minify.mjs   (after scripts/package.mjs and scripts/bundle-worklet.mjs)
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minifySync } from 'rolldown/utils';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');

/** Every .js file under `path` (a file or a folder of pkg/). */
function jsFiles(path) {
  if (statSync(path).isDirectory()) return readdirSync(path).flatMap((f) => jsFiles(join(path, f)));
  return path.endsWith('.js') ? [path] : [];
}

const { files } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
let before = 0;
let after = 0;
for (const file of files.flatMap((f) => jsFiles(join(pkg, f)))) {
  const src = readFileSync(file, 'utf8');
  const out = minifySync(file, src, { module: true, compress: true, mangle: true });
  if (out.errors.length > 0) {
    console.error(
      `minify: ${relative(root, file)}:\n${out.errors.map((e) => e.message).join('\n')}`,
    );
    process.exit(1);
  }
  writeFileSync(file, out.code);
  before += src.length;
  after += out.code.length;
}
console.log(`minify: pkg/ JavaScript ${before} -> ${after} bytes`);
