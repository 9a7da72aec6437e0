// A static file server on localhost for the browser tests, optionally cross-origin isolated
// (COOP/COEP headers on every response: what SharedArrayBuffer, a shared WebAssembly.Memory and
// so the thread pool need in a page).
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

export interface StaticServer {
  /** The origin, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. */
  crossOriginIsolated?: boolean;
}

/** Serves the files under `root` (index.html for directories) on 127.0.0.1, on a free port. */
export async function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (options.crossOriginIsolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    let file = resolve(join(base, decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)));
    try {
      if (file !== base && !file.startsWith(base + sep)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response
        .writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
        .end(body);
    } catch {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done()))),
  };
}
