// Pure parts behind refinement and buttons: instruction lines, region masks, upload masks, custom_ids.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { applyRefinement, parseRefineInstructions } from '../src/core/refine/refine-instructions.js';
import { regionMask } from '../src/core/refine/region-mask.js';
import { maskFromUpload } from '../src/core/refine/upload-mask.js';
import { draftButtonId, parseDraftButtonId } from '../src/discord/handlers/draft-button-id.js';
import { downloadAttachment } from '../src/discord/refine/attachment-check.js';
import { UserErrorId } from '../src/discord/user-error.js';

describe('refine instructions', () => {
  it('reads labelled lines and applies them', () => {
    const r = parseRefineInstructions('no: people, text\nmore: dragon\nless: fog\nadd: a spaceship in the sky\nregion: Top Left\nvariant: 3\nred scarf');
    expect(r).toMatchObject({ no: ['people', 'text'], more: ['dragon'], less: ['fog'], add: ['a spaceship in the sky', 'red scarf'], region: 'top left', variant: 3 });
    const out = applyRefinement('a castle', 'blurry', r);
    expect(out.prompt).toBe('a castle, a spaceship in the sky, red scarf, (dragon:1.3), (fog:0.7)');
    expect(out.negative).toBe('blurry, people, text');
    expect(parseRefineInstructions('variant: 9').warnings).toHaveLength(1);
  });
  it('makes region and upload masks', () => {
    const m = regionMask('upper-left corner', 4, 4)!;
    expect([...m.data]).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(regionMask('somewhere', 4, 4)).toBeUndefined();
    const source = { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 10, 20, 30]) };
    const painted = { width: 2, height: 1, data: new Uint8Array([255, 0, 255, 10, 20, 30]) };
    expect(maskFromUpload(painted, source)).toMatchObject({ kind: 'painted', coverage: 0.5 });
    const bw = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
    expect([...maskFromUpload(bw, source).mask.data]).toEqual([0, 255]);
  });
  it('round-trips button ids and rejects others', () => {
    const id = draftButtonId({ action: 'vary', draftId: 'abcDEF12_-', variant: 2 });
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseDraftButtonId(id)).toEqual({ action: 'vary', draftId: 'abcDEF12_-', variant: 2 });
    for (const bad of ['draft:explode:x', 'other:pick:x:1', 'draft:pick:x:7', 'draft:pick:x:1:2']) expect(parseDraftButtonId(bad)).toBeUndefined();
  });
});

describe('attachment download', () => {
  it('refuses more bytes than the limit even when the announced size was small', async () => {
    const server = createServer((_req, res) => res.end(Buffer.alloc(2048)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clip.mp4`;
    try {
      const policy = { hosts: ['127.0.0.1'], limitBytes: 1024, timeoutMs: 5000 };
      await expect(downloadAttachment({ name: 'clip.mp4', url, size: 10 }, policy)).rejects.toMatchObject({ id: UserErrorId.FileTooLarge });
      expect((await downloadAttachment({ name: 'clip.mp4', url, size: 10 }, { ...policy, limitBytes: 4096 })).length).toBe(2048);
    } finally {
      server.close();
    }
  });

  it('fetches only from the allowed hosts, and gives up after the time limit', async () => {
    const server = createServer((_req, res) => void setTimeout(() => res.end('late'), 3000));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const policy = { hosts: ['cdn.discordapp.com'], limitBytes: 4096, timeoutMs: 1000 };
    try {
      for (const url of [`http://127.0.0.1:${port}/a.png`, 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd', 'https://cdn.discordapp.com.evil.example/a.png', 'not a url']) {
        await expect(downloadAttachment({ name: 'a.png', url, size: 10 }, policy)).rejects.toMatchObject({ id: UserErrorId.BadAttachment, message: '"a.png" does not come from Discord, so I did not open it; attach the file itself.' });
      }
      await expect(downloadAttachment({ name: 'a.png', url: `http://127.0.0.1:${port}/a.png`, size: 10 }, { ...policy, hosts: ['127.0.0.1'] })).rejects.toMatchObject({
        id: UserErrorId.BadAttachment,
        message: 'Downloading "a.png" took longer than 1 s; try a smaller file.',
      });
    } finally {
      server.close();
    }
  });
});
