// A small static server for the demo and the browser tests. Loopback only.
//   node scripts/serve.mjs [--port 8080] [--isolated]
// Paths: /pkg/… → pkg/, /tests/… → tests/, /benches/… → benches/, /examples/… → examples/web/,
// everything else → www/.
// Sends a strict Content-Security-Policy, and no COOP/COEP headers unless --isolated
// (pitchtap needs no cross-origin isolation; only the SharedArrayBuffer benchmark does).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain',
};
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'";

const MOUNTS = [
  ['/pkg/', 'pkg'],
  ['/tests/', 'tests'],
  ['/benches/', 'benches'],
  ['/examples/', 'examples/web'],
  ['/', 'www'],
];

export function startServer({
  port = 8080,
  host = '127.0.0.1',
  isolated = false,
  quiet = false,
} = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = decodeURIComponent(url.pathname);
    const [prefix, dir] = MOUNTS.find(([p]) => path.startsWith(p));
    let file = normalize(join(root, dir, path.slice(prefix.length)));
    if (!file.startsWith(join(root, dir) + sep) && file !== join(root, dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-store',
      };
      if (isolated) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolve) =>
    server.listen(port, host, () => {
      if (!quiet)
        console.log(`pitchtap: serving http://${host}:${server.address().port}/ (Ctrl-C stops)`);
      resolve(server);
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--port');
  startServer({ port: i >= 0 ? Number(args[i + 1]) : 8080, isolated: args.includes('--isolated') });
}
