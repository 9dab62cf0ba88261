/**
 * Serves the built playground page: `/` is its index.html, `/assets/...` its hashed scripts and styles.
 * Paths are resolved inside the bundle folder only, so `..` cannot read other files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
};

const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Sends the file for `pathname` from `dir`; returns false when there is none. */
export async function serveStatic(dir: string, pathname: string, res: ServerResponse): Promise<boolean> {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = path.resolve(dir, relative);
  if (!file.startsWith(path.resolve(dir) + path.sep) || path.basename(file).startsWith('.')) return false;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Assets carry a content hash in their names; the page itself must always be fresh.
    'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    // The page loads only its own scripts and styles; pictures and clips come from this server too.
    ...(file.endsWith('.html') ? { 'content-security-policy': CSP } : {}),
  });
  createReadStream(file).pipe(res);
  return true;
}
