#!/usr/bin/env node
/**
 * Adds lock entries for optional platform packages that `npm install` could not record.
 *
 * Why: npm 11's `npm ci` refuses a package-lock.json that lacks an entry for any optional dependency
 * (e.g. @rollup/rollup-win32-x64-msvc, @msgpackr-extract/*-darwin-*), even one for another platform.
 * npm writes those entries from the registry's metadata, and a registry mirror that carries only this
 * machine's platform binaries (as on Taleframe's build machines) returns 404 for the others, so the
 * lock ends up without them and `npm ci` fails on a clean clone. The entries added here name only a
 * version and `optional: true`: `npm ci` accepts the lock, tries nothing for platforms that do not
 * match, and skips an optional package it cannot fetch. Run it after changing dependencies:
 *   npm install && npm run lockfile:complete
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path === '' ? '' : `${path}/`}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    packages[hoisted] = { version: String(range).replace(/^[~^=v]+/, ''), ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(name);
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length === 0 ? 'package-lock.json already lists every optional package' : `added ${added.length} optional platform entries: ${added.join(', ')}`);
