/**
 * Text for pictures: sharp renders SVG through librsvg, so captions and titles are drawn as SVG
 * <text>. User text is XML-escaped (a caption containing "<" must not break or inject markup) and
 * wrapped by an estimate of glyph width, since SVG 1.1 has no automatic wrapping.
 */

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/**
 * Greedy word wrap for a proportional sans font: about 0.55 em per character on average. Lines past
 * `maxLines` are dropped and the last kept line ends with an ellipsis.
 */
export function wrapText(text: string, widthPx: number, fontPx: number, maxLines: number): string[] {
  const perLine = Math.max(4, Math.floor(widthPx / (fontPx * 0.55)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (word === '') continue;
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= perLine) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = word.length > perLine ? `${word.slice(0, perLine - 1)}…` : word;
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.replace(/…$/, '').slice(0, perLine - 1)}…`;
  return kept;
}

/** An SVG of `lines` of text, left-aligned, one <text> element per line. */
export function textBlockSvg(
  lines: string[],
  opts: { width: number; height: number; fontPx: number; color?: string; background?: string; bold?: boolean; padding?: number },
): string {
  const pad = opts.padding ?? 8;
  const lineHeight = Math.round(opts.fontPx * 1.3);
  const texts = lines
    .map(
      (l, i) =>
        `<text x="${pad}" y="${pad + opts.fontPx + i * lineHeight}" font-family="DejaVu Sans, sans-serif" font-size="${opts.fontPx}"${
          opts.bold ? ' font-weight="bold"' : ''
        } fill="${opts.color ?? '#222'}">${escapeXml(l)}</text>`,
    )
    .join('');
  const bg = opts.background ? `<rect width="100%" height="100%" fill="${opts.background}"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${opts.width}" height="${opts.height}">${bg}${texts}</svg>`;
}
