/**
 * Where render results, previews, masks and exports live: a content-addressed store. A key is the
 * sha256 of the bytes plus an extension ("9f86d0...0a08.png"), so the same image is stored once,
 * a key never changes meaning, and writers never conflict. Workers put, the bot gets.
 *
 * Any store shared by the bot and every worker host will do. An S3-compatible implementation maps a
 * key to object `<bucket>/<key>`: put = PutObject (skip when HeadObject finds it), get = GetObject,
 * has = HeadObject, url = a presigned GET. The file implementation below needs DATA_DIR on a disk
 * that all processes see (one host, or a network mount).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobNotFoundError } from './blob-not-found-error.js';

export interface BlobStore {
  /** Stores `bytes` and returns their key (sha256 hex + '.' + ext). Idempotent. */
  put(bytes: Uint8Array, ext: string): Promise<string>;
  /** The bytes of `key`; throws BlobNotFoundError when absent. */
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
  /** A URL a browser can fetch, when the store has one. */
  url?(key: string): string;
}

const KEY = /^([0-9a-f]{64})\.([a-z0-9]{1,8})$/;

/** The key `bytes` get in any BlobStore. */
export function blobKeyOf(bytes: Uint8Array, ext: string): string {
  const clean = ext.replace(/^\./, '').toLowerCase();
  if (!/^[a-z0-9]{1,8}$/.test(clean)) throw new Error(`blob extension "${ext}" is not 1-8 letters or digits`);
  return `${createHash('sha256').update(bytes).digest('hex')}.${clean}`;
}

/** Blobs as files: `<dir>/blobs/<first two hex>/<key>`, written to a temp file then renamed. */
export class FileBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  /** Path of `key` on disk; throws for anything that is not a blob key (no path tricks). */
  pathOf(key: string): string {
    const match = KEY.exec(key);
    if (!match) throw new Error(`"${key}" is not a blob key`);
    return join(this.dir, 'blobs', match[1]!.slice(0, 2), key);
  }

  async put(bytes: Uint8Array, ext: string): Promise<string> {
    const key = blobKeyOf(bytes, ext);
    const path = this.pathOf(key);
    if (await this.has(key)) return key;
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path); // atomic on one filesystem: readers see all bytes or no file
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return key;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }
}
