/**
 * The bad-picture half of the bad-input corpus, generated (nothing is checked in): decompression
 * bombs and huge dimensions written as real PNG bytes, truncated and corrupted PNG / JPEG / WebP files,
 * files that are not pictures but are named .png (text, HTML, SVG with external entities, zip, PDF,
 * ELF, empty), animated GIF and WebP masks, masks of the wrong shape, all-black and all-white masks,
 * and a few unusual but valid pictures. Each case says what the bot must answer: a refusal matching
 * `refusal`, `accepted` (the refinement is queued) or, for randomly corrupted bytes, `either`. Not a test file itself.
 */
import { constants, crc32, deflateRawSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export interface PictureCase {
  name: string;
  /** File name as attached, and the content type the client claims. */
  file: string;
  contentType: string;
  data: Buffer;
  /** What the bot answers: a refusal (one sentence matching this), a queued refinement, or either. */
  expect: { refusal: RegExp } | 'accepted' | 'either';
}

const DRAFT = 64;
const chunk = (type: string, body: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
};
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, colourType = 0): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = 8; // bit depth
  b[9] = colourType; // 0 gray, 2 RGB
  return b;
}

/** A PNG with the given header and IDAT payload (already zlib-compressed). */
function png(width: number, height: number, idat: Buffer, colourType = 0): Buffer {
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr(width, height, colourType)), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A real decompression bomb: a width x height all-black grayscale PNG (15000x15000 is ~225 MB of
 * pixels in a file of a few hundred KB). One block of zero rows is compressed once with a full
 * flush (byte-aligned, no references back) and repeated; a final empty block and the Adler-32 of
 * all-zero data (a = 1, b = length mod 65521) close the zlib stream. Fast and small to make.
 */
export function pngBomb(width: number, height: number): Buffer {
  const rowBytes = width + 1; // filter byte 0, then zeros
  const rows = Math.max(1, Math.min(height, Math.floor((4 * 1024 * 1024) / rowBytes)));
  const flush = { finishFlush: constants.Z_FULL_FLUSH, level: 9 };
  const block = deflateRawSync(Buffer.alloc(rows * rowBytes), flush);
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < Math.floor(height / rows); i++) parts.push(block);
  if (height % rows > 0) parts.push(deflateRawSync(Buffer.alloc((height % rows) * rowBytes), flush));
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((rowBytes * height) % 65521) * 65536 + 1) >>> 0, 0);
  parts.push(Buffer.from([0x03, 0x00]), adler);
  return png(width, height, Buffer.concat(parts));
}

const solid = (width: number, height: number, v: number) => sharp({ create: { width, height, channels: 3, background: { r: v, g: v, b: v } } });
/** White left half (repaint), black right half. */
const halfMask = (w: number, h: number) =>
  solid(w, h, 0).composite([{ input: { create: { width: Math.ceil(w / 2), height: h, channels: 3, background: '#ffffff' } }, left: 0, top: 0 }]);

/** A deterministic pseudo-random generator, so the corpus is the same on every run. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// A file claiming an image content type that is no picture reads as damaged; otherwise "not a picture".
const NOT_PICTURE = /is not a PNG, JPEG or WebP picture|could not be read as a picture/;
const DAMAGED = /could not be read as a picture|damaged or cut short|has no pixels/;
const TOO_BIG = /pixels; send a picture at most 4096 pixels on a side/;

export async function pictureCases(): Promise<PictureCase[]> {
  const cases: PictureCase[] = [];
  const add = (name: string, data: Buffer, expect: PictureCase['expect'], file = `${name}.png`, contentType = 'image/png') =>
    cases.push({ name, file, contentType, data, expect });

  // Decompression bombs (real, decodable) and huge headers over a tiny body.
  add('bomb-15000x15000', pngBomb(15000, 15000), { refusal: TOO_BIG });
  add('bomb-30000x2000', pngBomb(30000, 2000), { refusal: TOO_BIG });
  for (const [w, h] of [[65535, 65535], [100000, 1], [1, 100000], [2 ** 31 - 1, 2 ** 31 - 1], [4097, 4097], [9000, 100], [20000, 20000]] as const) {
    // libvips itself refuses headers over 2^31 - 1 pixels a side; either sentence is right.
    const refusal = w >= 2 ** 31 - 1 ? new RegExp(`${TOO_BIG.source}|${DAMAGED.source}`) : Math.max(w, h) > 4096 ? TOO_BIG : DAMAGED;
    add(`huge-header-${w}x${h}`, png(w, h, deflateSync(Buffer.alloc(64))), { refusal });
  }
  add('zero-width', png(0, 64, deflateSync(Buffer.alloc(64))), { refusal: DAMAGED });

  // Valid pictures to damage.
  const good = {
    png: await halfMask(DRAFT, DRAFT).png().toBuffer(),
    jpeg: await halfMask(DRAFT, DRAFT).jpeg({ quality: 90 }).toBuffer(),
    webp: await halfMask(DRAFT, DRAFT).webp({ lossless: true }).toBuffer(),
  };
  for (const [format, bytes] of Object.entries(good)) {
    for (const cut of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      // Cut inside the signature it is no picture at all; cut later it is a damaged one.
      add(`truncated-${format}-${Math.round(cut * 100)}`, bytes.subarray(0, Math.floor(bytes.length * cut)), { refusal: new RegExp(`${DAMAGED.source}|${NOT_PICTURE.source}`) }, `mask.${format}`, `image/${format}`);
    }
    // Only the last bytes gone (the end marker): every pixel may still be there, so either answer is right.
    add(`truncated-${format}-98`, bytes.subarray(0, Math.floor(bytes.length * 0.98)), 'either', `mask.${format}`, `image/${format}`);
    add(`header-only-${format}`, bytes.subarray(0, 16), { refusal: DAMAGED }, `mask.${format}`, `image/${format}`);
    const random = seeded(format.length * 7919);
    for (let i = 0; i < 6; i++) {
      const broken = Buffer.from(bytes);
      for (let k = 0; k < 40; k++) broken[32 + Math.floor(random() * (broken.length - 40))] = Math.floor(random() * 256);
      // Flipped bytes either break the file (refused) or only its pixels (then it is still a picture).
      add(`corrupt-${format}-${i}`, broken, 'either', `mask.${format}`, `image/${format}`);
    }
  }

  // Not pictures at all, named .png.
  const texts: Record<string, string> = {
    'text-named-png': 'just some notes, not a picture',
    'html-named-png': '<!doctype html><html><body><script>alert(1)</script></body></html>',
    'json-named-png': '{"mask": [[1,0],[0,1]]}',
    'svg-named-png': `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="32" height="64" fill="#fff"/></svg>`,
    'svg-xxe-file': `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text y="20">&xxe;</text></svg>`,
    'svg-xxe-http': `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>`,
    'svg-billion-laughs': `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>`,
    'svg-external-image': `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/shadow" width="64" height="64"/></svg>`,
  };
  for (const [name, text] of Object.entries(texts)) add(name, Buffer.from(text), { refusal: NOT_PICTURE });
  add('svg-as-svg', Buffer.from(texts['svg-xxe-file']!), { refusal: NOT_PICTURE }, 'mask.svg', 'image/svg+xml');
  add('empty-file', Buffer.alloc(0), { refusal: NOT_PICTURE });
  add('zip-named-png', Buffer.from('504b0304140000000800', 'hex'), { refusal: NOT_PICTURE });
  add('pdf-named-png', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'), { refusal: NOT_PICTURE });
  add('elf-named-png', Buffer.from('7f454c46020101000000000000000000', 'hex'), { refusal: NOT_PICTURE });
  add('bmp-named-png', Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), { refusal: NOT_PICTURE });
  add('tiff-named-png', await halfMask(DRAFT, DRAFT).tiff().toBuffer(), { refusal: NOT_PICTURE });
  add('png-signature-only', PNG_SIGNATURE, { refusal: DAMAGED });
  add('random-bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) & 0xff)), { refusal: NOT_PICTURE });

  // Animations and GIFs where a still mask is needed.
  const frames = [await halfMask(DRAFT, DRAFT).png().toBuffer(), await solid(DRAFT, DRAFT, 0).png().toBuffer()];
  const animated = (format: 'gif' | 'webp') => sharp(frames, { join: { animated: true } })[format]({ loop: 0 }).toBuffer();
  add('animated-gif-mask', await animated('gif'), { refusal: /is animated; attach a still/ }, 'mask.gif', 'image/gif');
  add('animated-gif-named-png', await animated('gif'), { refusal: /is animated; attach a still/ });
  add('animated-webp-mask', await animated('webp'), { refusal: /is animated; attach a still/ }, 'mask.webp', 'image/webp');
  add('still-gif-mask', await halfMask(DRAFT, DRAFT).gif().toBuffer(), { refusal: /is a GIF; attach a still/ }, 'mask.gif', 'image/gif');

  // Masks of the wrong shape are refused; the same shape at another scale is fine.
  for (const [w, h] of [[32, 64], [64, 32], [1, 64], [64, 1], [640, 64], [16, 48]] as const) {
    add(`mask-shape-${w}x${h}`, await halfMask(w, h).png().toBuffer(), { refusal: /mask is \d+x\d+ but the draft is 64x64/ });
  }
  for (const side of [32, 128, 1024, 4096]) add(`mask-scaled-${side}`, await halfMask(side, side).png().toBuffer(), 'accepted');
  add('mask-all-black', await solid(DRAFT, DRAFT, 0).png().toBuffer(), { refusal: /marks nothing to repaint/ });
  add('mask-all-white', await solid(DRAFT, DRAFT, 255).png().toBuffer(), 'accepted');
  add('mask-transparent', await sharp({ create: { width: DRAFT, height: DRAFT, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer(), { refusal: /marks nothing to repaint/ });

  // Unusual but valid pictures.
  add('png-16-bit', await halfMask(DRAFT, DRAFT).png().toColourspace('rgb16').toBuffer(), 'accepted');
  add('png-gray-alpha', await halfMask(DRAFT, DRAFT).toColourspace('b-w').ensureAlpha().png().toBuffer(), 'accepted');
  add('png-palette', await halfMask(DRAFT, DRAFT).png({ palette: true, colours: 2 }).toBuffer(), 'accepted');
  add('jpeg-cmyk', await halfMask(DRAFT, DRAFT).toColourspace('cmyk').jpeg().toBuffer(), 'accepted', 'mask.jpg', 'image/jpeg');
  add('jpeg-named-png', good.jpeg, 'accepted');
  add('png-claimed-octet-stream', good.png, 'accepted', 'mask.png', 'application/octet-stream');
  add('jpeg-exif-rotated', await halfMask(DRAFT, DRAFT).withMetadata({ orientation: 6 }).jpeg().toBuffer(), 'accepted', 'mask.jpg', 'image/jpeg');
  return cases;
}
