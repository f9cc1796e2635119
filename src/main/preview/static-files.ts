import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/**
 * Maps a request path to a file of the built renderer, and nothing else:
 * decoded once, no `..`, no dot-files, no backslashes or NUL bytes, and the
 * real path (symlinks resolved) must still be inside the renderer folder.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type ResolvedFile = { kind: 'file'; path: string; size: number; contentType: string } | { kind: 'bad-request' } | { kind: 'not-found' };

/** `rootReal` is the renderer folder's real path (see `realpath`). */
export async function resolveStaticFile(rootReal: string, pathname: string): Promise<ResolvedFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'bad-request' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request' };
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  const segments = relative.split('/');
  // `..` and dot-files (`.env`, `.git`) are never served; empty segments (`a//b`) neither.
  if (segments.some((s) => s === '' || s.startsWith('.'))) return { kind: 'not-found' };
  const candidate = resolve(rootReal, ...segments);
  if (!candidate.startsWith(rootReal + sep)) return { kind: 'not-found' };
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(rootReal + sep)) return { kind: 'not-found' };
    const info = await stat(real);
    if (!info.isFile()) return { kind: 'not-found' };
    return { kind: 'file', path: real, size: info.size, contentType: contentTypeFor(real) };
  } catch {
    return { kind: 'not-found' };
  }
}
