/**
 * Reading what the playground page sends: JSON, or multipart form data with a `payload` JSON field and
 * files. Bodies are capped (a member's upload cannot exhaust the server's memory) and checked with zod,
 * so a malformed request gets one sentence back rather than a crash.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { SiteError } from './site-error.js';

export interface SiteUpload {
  /** The form field the file came in (`files` or `option:<name>`). */
  field: string;
  name: string;
  contentType?: string;
  data: Buffer;
}

export interface SiteBody {
  payload: unknown;
  files: SiteUpload[];
}

/** Reads the body; `maxBytes` bounds the whole request. */
export async function readSiteBody(req: IncomingMessage, maxBytes: number): Promise<SiteBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { payload: {}, files: [] };
  if (type.startsWith('multipart/form-data')) return readForm(raw, type);
  try {
    return { payload: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw new SiteError('The request was not valid JSON.');
  }
}

/** Parses `payload` with `schema`, answering a bad request with the first problem in plain words. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new SiteError(`${issue.path.join('.') || 'request'}: ${issue.message}`);
}

async function readForm(raw: Buffer, contentType: string): Promise<SiteBody> {
  let form: FormData;
  try {
    form = await new Request('http://playground.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  } catch {
    throw new SiteError('The upload could not be read; try again.');
  }
  let payload: unknown = {};
  const files: SiteUpload[] = [];
  for (const [field, value] of form.entries()) {
    if (field === 'payload' && typeof value === 'string') {
      try {
        payload = JSON.parse(value);
      } catch {
        throw new SiteError('The request was not valid JSON.');
      }
    } else if (typeof value !== 'string') {
      const file: SiteUpload = { field, name: value.name || 'upload', data: Buffer.from(await value.arrayBuffer()) };
      if (value.type) file.contentType = value.type;
      files.push(file);
    }
  }
  return { payload, files };
}

function tooLarge(maxBytes: number): SiteError {
  return new SiteError(`That upload is larger than ${Math.floor(maxBytes / (1024 * 1024))} MiB.`, 413);
}
