/**
 * Reading and answering HTTP requests the way Discord's REST API does: JSON bodies, multipart bodies with
 * `payload_json` plus `files[n]` parts, Discord-shaped errors (`{ code, message }`), and image size sniffing
 * so stored attachments get `width`/`height` like real ones.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface UploadedFile {
  /** n of the `files[n]` form field (the id the payload's `attachments` array refers to). */
  index: number;
  filename: string;
  contentType?: string;
  data: Buffer;
}

export interface RequestBody {
  json: Record<string, unknown> | undefined;
  files: UploadedFile[];
  /** Total bytes received. */
  size: number;
}

/** An error the fake answers with a status and Discord's JSON error body. */
export class DiscordApiFault extends Error {
  constructor(readonly status: number, readonly code: number, message: string, readonly errors?: unknown) {
    super(message);
  }
}

export const Faults = {
  unknownChannel: () => new DiscordApiFault(404, 10003, 'Unknown Channel'),
  unknownMessage: () => new DiscordApiFault(404, 10008, 'Unknown Message'),
  unknownGuild: () => new DiscordApiFault(404, 10004, 'Unknown Guild'),
  unknownMember: () => new DiscordApiFault(404, 10007, 'Unknown Member'),
  unknownUser: () => new DiscordApiFault(404, 10013, 'Unknown User'),
  unknownWebhook: () => new DiscordApiFault(404, 10015, 'Unknown Webhook'),
  unknownEmoji: () => new DiscordApiFault(400, 10014, 'Unknown Emoji'),
  unknownInteraction: () => new DiscordApiFault(404, 10062, 'Unknown interaction'),
  unknownCommand: () => new DiscordApiFault(404, 10063, 'Unknown application command'),
  alreadyAcknowledged: () => new DiscordApiFault(400, 40060, 'Interaction has already been acknowledged.'),
  invalidWebhookToken: () => new DiscordApiFault(401, 50027, 'Invalid Webhook Token'),
  unauthorized: () => new DiscordApiFault(401, 0, '401: Unauthorized'),
  emptyMessage: () => new DiscordApiFault(400, 50006, 'Cannot send an empty message'),
  tooLarge: () => new DiscordApiFault(413, 40005, 'Request entity too large'),
  notFound: () => new DiscordApiFault(404, 0, '404: Not Found'),
  invalidForm: (field: string, code: string, message: string) =>
    new DiscordApiFault(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } }),
};

/** Reads the whole body and decodes JSON or multipart/form-data (`payload_json` + `files[n]`). */
export async function readBody(req: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [], size: 0 };
  if (type.startsWith('multipart/form-data')) return { ...(await readMultipart(raw, type)), size: raw.length };
  try {
    return { json: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [], size: raw.length };
  } catch {
    throw new DiscordApiFault(400, 50109, 'The request body contains invalid JSON.');
  }
}

async function readMultipart(raw: Buffer, contentType: string): Promise<Omit<RequestBody, 'size'>> {
  const form = await new Request('http://fake.invalid/', {
    method: 'POST', headers: { 'content-type': contentType }, body: raw,
  }).formData();
  let json: Record<string, unknown> | undefined;
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (field === 'payload_json' && typeof value === 'string') {
      json = JSON.parse(value) as Record<string, unknown>;
      continue;
    }
    const match = /^files\[(\d+)\]$/.exec(field) ?? /^file(\d*)$/.exec(field);
    if (!match || typeof value === 'string') continue;
    const data = Buffer.from(await value.arrayBuffer());
    const file: UploadedFile = { index: Number(match[1] || 0), filename: value.name || `file${match[1]}`, data };
    if (value.type) file.contentType = value.type;
    files.push(file);
  }
  return { json, files };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === undefined) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export function sendFault(res: ServerResponse, fault: DiscordApiFault): void {
  sendJson(res, fault.status, { message: fault.message, code: fault.code, ...(fault.errors ? { errors: fault.errors } : {}) });
}

/** Width and height of PNG, GIF, JPEG or WebP data, or undefined for anything else. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data.length >= 10 && data.toString('latin1', 0, 3) === 'GIF') return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  if (data.length >= 30 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
    const kind = data.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = data.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < data.length && data[offset] === 0xff) {
      const marker = data[offset + 1];
      const length = data.readUInt16BE(offset + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: data.readUInt16BE(offset + 7), height: data.readUInt16BE(offset + 5) };
      }
      offset += 2 + length;
    }
  }
  return undefined;
}

/** A content type guessed from a file name, for uploads that did not say. */
export function guessContentType(filename: string): string | undefined {
  const ext = filename.toLowerCase().split('.').pop();
  const types: Record<string, string> = {
    png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
    mp4: 'video/mp4', webm: 'video/webm', html: 'text/html; charset=utf-8', txt: 'text/plain; charset=utf-8',
    json: 'application/json; charset=utf-8', zip: 'application/zip',
  };
  return ext ? types[ext] : undefined;
}
