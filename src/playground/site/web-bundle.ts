/**
 * The playground page's bundle: built with vite from src/playground/web/ into build/playground-web/
 * the first time `npm start` needs it, and again whenever the page's sources change (a hash of them is
 * kept beside the bundle). Nothing built is committed; a fresh clone builds in a few seconds.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_SOURCE_DIR = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_BUNDLE_DIR = fileURLToPath(new URL('../../../build/playground-web/', import.meta.url));
const STAMP = '.source-hash';

/** A hash of every source file of the page (its README excepted). */
export async function webSourceHash(dir = WEB_SOURCE_DIR): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name !== 'README.md')
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(await readFile(path.join(dir, file))).update('\0');
  return hash.digest('hex');
}

/**
 * Makes sure an up-to-date bundle exists and returns its folder. Builds with vite (a dev dependency)
 * when the bundle is missing or stale; throws one sentence when it must build and vite is not installed.
 */
export async function ensureWebBundle(log: (line: string) => void = () => {}): Promise<string> {
  const hash = await webSourceHash();
  const stampFile = path.join(WEB_BUNDLE_DIR, STAMP);
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === hash) return WEB_BUNDLE_DIR;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error('the playground page is not built and vite is missing: run `npm ci` (with dev dependencies) first.');
  }
  log('building the playground page (vite)');
  const outDir = `${WEB_BUNDLE_DIR.replace(/\/$/, '')}.tmp-${process.pid}`;
  await vite.build({ root: WEB_SOURCE_DIR, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false, reportCompressedSize: false } });
  await writeFile(path.join(outDir, STAMP), hash);
  await rm(WEB_BUNDLE_DIR, { recursive: true, force: true });
  await rename(outDir, WEB_BUNDLE_DIR);
  return WEB_BUNDLE_DIR;
}
