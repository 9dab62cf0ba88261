/**
 * Escaping user text for SVG pictures (the /budget chart draws its labels as SVG <text>): a title
 * containing "<" must not break or inject markup. Text whose room matters (titles, captions) is set
 * with text-block.ts instead, which measures it with the real font.
 */

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
