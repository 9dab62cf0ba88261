/**
 * The part of Discord's markdown the bot writes: `> quotes`, **bold**, *italic*, __underline__,
 * ~~strike~~, `code`, links and `<@id>` mentions (shown as @name). Builds DOM nodes from text, never
 * HTML strings, so nothing a member types can become markup.
 */

type Names = Record<string, string>;

const INLINE = /(\*\*(.+?)\*\*)|(__(.+?)__)|(\*(.+?)\*)|(\b_(.+?)_\b)|(~~(.+?)~~)|(`([^`]+)`)|(<@!?(\d+)>)|(https?:\/\/[^\s<>]+)/;

/** Appends `text` rendered as Discord markdown to `parent`. */
export function renderMarkdown(parent: HTMLElement, text: string, names: Names = {}): void {
  const lines = text.split('\n');
  let quote: HTMLElement | null = null;
  lines.forEach((line, index) => {
    const quoted = /^>\s?(.*)$/.exec(line);
    if (quoted) {
      if (!quote) {
        quote = document.createElement('blockquote');
        parent.append(quote);
      } else quote.append(document.createElement('br'));
      inline(quote, quoted[1]!, names);
      return;
    }
    quote = null;
    if (index > 0 && !/^>/.test(lines[index - 1] ?? '')) parent.append(document.createElement('br'));
    inline(parent, line, names);
  });
}

function inline(parent: HTMLElement, text: string, names: Names): void {
  let rest = text;
  while (rest.length > 0) {
    const match = INLINE.exec(rest);
    if (!match) {
      parent.append(rest);
      return;
    }
    if (match.index > 0) parent.append(rest.slice(0, match.index));
    parent.append(node(match, names));
    rest = rest.slice(match.index + match[0].length);
  }
}

function node(match: RegExpExecArray, names: Names): Node {
  const wrap = (tag: string, inner: string) => {
    const element = document.createElement(tag);
    inline(element, inner, names);
    return element;
  };
  if (match[1]) return wrap('strong', match[2]!);
  if (match[3]) return wrap('u', match[4]!);
  if (match[5]) return wrap('em', match[6]!);
  if (match[7]) return wrap('em', match[8]!);
  if (match[9]) return wrap('s', match[10]!);
  if (match[11]) {
    const code = document.createElement('code');
    code.textContent = match[12]!;
    return code;
  }
  if (match[13]) {
    const mention = document.createElement('span');
    mention.className = 'mention';
    mention.textContent = `@${names[match[14]!] ?? 'someone'}`;
    return mention;
  }
  const link = document.createElement('a');
  link.href = match[15]!;
  link.textContent = match[15]!;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}
