// The package size budget: prints every file pkg/ ships that a page loads (package.json
// "files", less type declarations, licences and the README), raw and gzipped with level 9,
// and the total; exits 1 when the gzipped total is over BUDGET_BYTES. Run by `make build`
// (so a build that grows the package past the budget fails) and by `make size`.
//
// usage: node scripts/size-budget.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Gzipped (-9) bytes of wasm + main-thread JS + worklet allowed (the budget: at most 60 kB). */
export const BUDGET_BYTES = 60_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');

/** Files under `path`, recursively. */
function walk(path) {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .flatMap((f) => walk(join(path, f)))
    : [path];
}

/** What a page may load: code and wasm, not types, licences, docs or the manifest. */
const loaded = (f) => /\.(js|mjs|wasm)$/.test(f) && !f.endsWith('.d.ts');

const { files } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
const rows = files
  .flatMap((f) => walk(join(pkg, f)))
  .filter(loaded)
  .map((file) => {
    const bytes = readFileSync(file);
    return {
      file: relative(pkg, file),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
    };
  });
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), {
  raw: 0,
  gzip: 0,
});
const width = Math.max(...rows.map((r) => r.file.length), 5);
const line = (name, raw, gzip) =>
  `${name.padEnd(width)}  ${String(raw).padStart(8)}  ${String(gzip).padStart(8)}`;
console.log(line('file in pkg/', 'bytes', 'gzip -9'));
for (const r of rows) console.log(line(r.file, r.raw, r.gzip));
console.log(line('total', total.raw, total.gzip));
if (total.gzip > BUDGET_BYTES) {
  console.error(
    `size-budget: FAIL: ${total.gzip} bytes gzipped, over the budget of ${BUDGET_BYTES}`,
  );
  process.exit(1);
}
console.log(
  `size-budget: ok, ${total.gzip} of ${BUDGET_BYTES} bytes gzipped (${((100 * total.gzip) / BUDGET_BYTES).toFixed(0)} %)`,
);
