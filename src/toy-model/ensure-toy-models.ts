/**
 * Keeps the generated toy model folders up to date. Each folder carries a `.toy-build.json` stamp: a
 * SHA-256 over the builder's own source files, the example passages the tokenizer learns from and the
 * variant's settings. A folder whose stamp matches is left alone (a fast check), anything else is built
 * in a temporary sibling folder and swapped in with renames, so concurrent test runs never see a
 * half-written folder and never fail because another process built it first. Files the builder does
 * not write (another part's calibration kept beside the model) are carried over into the new folder.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOY_VARIANTS, writeModelFolder, type ToyVariant } from './model-folders.js';
import { learnToyTokenizer, type ToyTokenizer } from './toy-tokenizer.js';

/** Bump to force a rebuild when something outside the hashed sources changes the output. */
export const TOY_BUILD_VERSION = 1;
const STAMP_FILE = '.toy-build.json';

export interface ToyBuildReport {
  name: string;
  dir: string;
  /** false when the folder was already up to date. */
  built: boolean;
  files: string[];
  ms: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

/**
 * Builds every toy folder under `root` that is missing or stale; returns quickly when all are current.
 * @example await ensureToyModels();  // models/toy, models/toy-int64, ..., models/bench-unet
 */
export async function ensureToyModels(root = 'models', variants: readonly ToyVariant[] = TOY_VARIANTS): Promise<ToyBuildReport[]> {
  const passages = examplePassages();
  const sourceHash = hashSources(passages);
  let tokenizer: ToyTokenizer | null = null;
  const reports: ToyBuildReport[] = [];
  for (const variant of variants) {
    const started = performance.now();
    const dir = join(root, variant.name);
    const stamp = JSON.stringify({ version: TOY_BUILD_VERSION, hash: hashOf(sourceHash, JSON.stringify(variant)) });
    if (readStamp(dir) === stamp) {
      reports.push({ name: variant.name, dir, built: false, files: [], ms: performance.now() - started });
      continue;
    }
    tokenizer ??= learnToyTokenizer(passages);
    const tmp = join(root, `.tmp-${variant.name}-${process.pid}-${Date.now()}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const files = writeModelFolder(tmp, variant, tokenizer);
    writeFileSync(join(tmp, STAMP_FILE), stamp);
    keepForeignFiles(dir, tmp, new Set([...files, STAMP_FILE]));
    swapIn(tmp, dir, stamp);
    reports.push({ name: variant.name, dir, built: true, files, ms: performance.now() - started });
  }
  return reports;
}

/** Replaces `dir` with `tmp`, unless another process has meanwhile put an up-to-date folder there. */
function swapIn(tmp: string, dir: string, stamp: string): void {
  const old = `${tmp}-old`;
  try {
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (error) {
    if (readStamp(dir) !== stamp) throw error;
    rmSync(tmp, { recursive: true, force: true });
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

/**
 * Carries over files other parts of the project keep in a model folder (a step-budget calibration,
 * an optimized-model cache) so a rebuild replaces only what the builder itself writes.
 */
function keepForeignFiles(dir: string, tmp: string, ours: Set<string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(dir, join(entry.parentPath, entry.name));
    if (ours.has(rel.split(sep).join('/'))) continue;
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    copyFileSync(join(dir, rel), join(tmp, rel));
  }
}

function readStamp(dir: string): string | null {
  try {
    return readFileSync(join(dir, STAMP_FILE), 'utf8');
  } catch {
    return null;
  }
}

/** examples/*.txt, sorted by name, when the folder exists. */
function examplePassages(): string[] {
  const dir = join(repoRoot, 'examples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Hash of the code that determines the bytes: this folder, the ONNX builder and the seeded RNG. */
function hashSources(passages: string[]): string {
  const files = [
    ...listTs(here),
    ...listTs(join(repoRoot, 'src', 'onnx')),
    join(repoRoot, 'src', 'core', 'random.ts'),
  ].filter(existsSync);
  return hashOf(...files.map((f) => readFileSync(f, 'utf8')), ...passages);
}

function listTs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => join(dir, f)) : [];
}

function hashOf(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${part.length}:`).update(part);
  return h.digest('hex');
}
