import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/run-node.js';

// The bot process must never load onnxruntime-node: a UNet step would freeze its event loop
// (REFERENCE §9). Walk every import reachable from the bot's entry points and check.
const importPattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function resolveLocal(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function reachable(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(importPattern)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      if (spec.startsWith('.')) {
        const resolved = resolveLocal(file, spec);
        if (resolved) stack.push(resolved);
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  }
  return { files, packages };
}

function tsFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('the bot process', () => {
  it('never imports onnxruntime-node or the diffusion engine', () => {
    const entries = [path.join(repoRoot, 'src/main.ts'), ...tsFilesUnder(path.join(repoRoot, 'src/discord')), ...tsFilesUnder(path.join(repoRoot, 'commands'))];
    const { files, packages } = reachable(entries);
    expect(files.size).toBeGreaterThan(3);
    expect([...packages]).not.toContain('onnxruntime-node');
    const engineFiles = [...files].filter((f) => f.includes(`${path.sep}src${path.sep}diffusion${path.sep}`));
    expect(engineFiles).toEqual([]);
  });
});
