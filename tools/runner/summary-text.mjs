// @ts-check
// A job summary (the HTML @actions/core writes, or Markdown) as plain text for a terminal:
// headings underlined, tables as aligned columns, <details> as an indented block, entities
// decoded. Only the markup job summaries use is understood; anything else is dropped as a tag.

const BLOCK_TAGS = /^(p|div|h[1-6]|table|tr|details|summary|pre|ul|ol|li|blockquote|hr|br)$/;

/**
 * Decodes the HTML entities a summary can hold (numeric and the common named ones).
 * @param {string} text
 * @returns {string}
 */
export function decodeEntities(text) {
  /** @type {Record<string, string>} */
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return text.replace(
    /&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi,
    (/** @type {string} */ whole, /** @type {string} */ body) => {
      if (body[0] === '#') {
        const code =
          body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return named[body.toLowerCase()] ?? whole;
    },
  );
}

/** @type {Array<[number, number]>} */
const WIDE = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
];

/**
 * Columns a string takes in a terminal: emoji and East Asian wide characters take two.
 * @param {string} text
 */
export function displayWidth(text) {
  let width = 0;
  for (const char of text) {
    const code = /** @type {number} */ (char.codePointAt(0));
    if (code === 0xfe0f) {
      width += 1; // emoji presentation: the character before it is shown wide
    } else if (
      (code >= 0x300 && code <= 0x36f) ||
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0xfe00 && code <= 0xfe0e)
    ) {
      // combining marks and zero-width characters
    } else {
      width += WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1;
    }
  }
  return width;
}

/**
 * Rows of cells as aligned columns; the first row is the header, underlined.
 * @param {string[][]} rows
 * @param {string} [indent]
 * @returns {string[]}
 */
export function renderTable(rows, indent = '') {
  if (rows.length === 0) return [];
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...rows.map((row) => displayWidth(row[i] ?? ''))),
  );
  const line = (/** @type {string[]} */ row) =>
    (
      indent +
      widths
        .map((width, i) => {
          const cell = row[i] ?? '';
          return cell + ' '.repeat(Math.max(0, width - displayWidth(cell)));
        })
        .join('  ')
    ).trimEnd();
  const [header = [], ...body] = rows;
  // A key/value table written with an empty header row reads better without it.
  if (header.every((cell) => cell.trim() === '')) return body.map(line);
  return [
    line(header),
    indent + widths.map((w) => '-'.repeat(Math.max(w, 1))).join('  '),
    ...body.map(line),
  ];
}

/**
 * A summary as plain text. Accepts the HTML core.summary writes and Markdown alike.
 * @param {string} summary
 */
export function summaryToText(summary) {
  const lines = [];
  for (const part of splitHtmlAndMarkdown(summary)) {
    lines.push(...(part.html ? htmlToLines(part.text) : markdownToLines(part.text)));
  }
  return collapseBlankLines(lines).join('\n');
}

/** @param {string[]} lines */
function collapseBlankLines(lines) {
  /** @type {string[]} */
  const out = [];
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(trimmed);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * Lines starting with a tag are HTML (what core.summary writes); the rest is Markdown.
 * @param {string} summary
 */
function splitHtmlAndMarkdown(summary) {
  /** @type {Array<{ html: boolean, text: string, open: number }>} */
  const parts = [];
  for (const line of summary.replace(/\r\n/g, '\n').split('\n')) {
    const last = parts.at(-1);
    const html = /^\s*<[a-z!/]/i.test(line) || (last !== undefined && last.html && last.open > 0);
    /** @type {{ html: boolean, text: string, open: number }} */
    let current;
    if (last && last.html === html) {
      last.text += `\n${line}`;
      current = last;
    } else {
      current = { html, text: line, open: 0 };
      parts.push(current);
    }
    if (current.html) current.open = openElements(current.text);
  }
  return parts;
}

/**
 * How many <pre>/<table>/<details> are still open: their contents stay HTML across lines.
 * @param {string} html
 */
function openElements(html) {
  let open = 0;
  for (const tag of ['pre', 'table', 'details']) {
    open += (html.match(new RegExp(`<${tag}[\\s>]`, 'gi')) ?? []).length;
    open -= (html.match(new RegExp(`</${tag}>`, 'gi')) ?? []).length;
  }
  return Math.max(open, 0);
}

/**
 * @typedef {{ tag: string, close: boolean, attrs: string, text?: undefined } | { text: string, tag?: undefined }} Token
 */

/**
 * @param {string} html
 * @returns {Token[]}
 */
function tokenize(html) {
  /** @type {Token[]} */
  const tokens = [];
  const pattern = /<!--[\s\S]*?-->|<(\/?)([a-z][a-z0-9]*)([^>]*)>|([^<]+|<)/gi;
  let match;
  while ((match = pattern.exec(html)) !== null) {
    if (match[0].startsWith('<!--')) continue;
    if (match[2]) {
      tokens.push({ tag: match[2].toLowerCase(), close: match[1] === '/', attrs: match[3] ?? '' });
    } else {
      tokens.push({ text: match[4] ?? match[0] });
    }
  }
  return tokens;
}

/**
 * @param {string} attrs
 * @param {string} name
 */
function attribute(attrs, name) {
  const match = new RegExp(`${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return match ? decodeEntities(match[2] ?? match[3] ?? match[4] ?? '') : undefined;
}

/**
 * @param {string} html
 * @returns {string[]}
 */
function htmlToLines(html) {
  /** @type {string[]} */
  const lines = [];
  let current = '';
  let pre = 0;
  let indent = '';
  /** @type {string[][] | undefined} */
  let table;
  /** @type {string[] | undefined} */
  let row;
  /** @type {{ text: string, span: number } | undefined} */
  let cell;
  let listDepth = 0;
  /** @type {{ href: string | undefined, start: number } | undefined} */
  let link;
  const flush = () => {
    const text = current.replace(/[ \t]+/g, ' ').trim();
    if (text) lines.push(indent + text);
    current = '';
  };
  const append = (/** @type {string} */ text) => {
    if (cell) cell.text += text;
    else current += text;
  };
  for (const token of tokenize(html)) {
    if (token.text !== undefined) {
      const text = decodeEntities(token.text);
      if (pre > 0 && !cell) {
        current += text;
      } else {
        append(text.replace(/\s+/g, ' '));
      }
      continue;
    }
    const { tag, close, attrs } = token;
    if (tag === 'pre') {
      if (!close) {
        flush();
        pre += 1;
      } else {
        pre = Math.max(0, pre - 1);
        for (const line of current.replace(/^\n/, '').replace(/\n$/, '').split('\n')) {
          lines.push(`${indent}  ${line}`);
        }
        current = '';
      }
      continue;
    }
    if (tag === 'table') {
      if (!close) {
        flush();
        table = [];
      } else if (table) {
        lines.push('', ...renderTable(table, indent), '');
        table = undefined;
      }
      continue;
    }
    if (table && tag === 'tr') {
      if (!close) row = [];
      else if (row) {
        table.push(row);
        row = undefined;
      }
      continue;
    }
    if (table && (tag === 'td' || tag === 'th')) {
      if (!close) cell = { text: '', span: Number(attribute(attrs, 'colspan') ?? 1) || 1 };
      else if (cell) {
        row ??= [];
        row.push(cell.text.replace(/\s+/g, ' ').trim());
        for (let i = 1; i < cell.span; i++) row.push('');
        cell = undefined;
      }
      continue;
    }
    if (tag === 'a') {
      // A link keeps its text; the address follows when it says more than the text.
      if (!close) {
        link = { href: attribute(attrs, 'href'), start: (cell ? cell.text : current).length };
      } else if (link) {
        const text = (cell ? cell.text : current).slice(link.start).trim();
        if (link.href && !link.href.startsWith('#') && text !== link.href)
          append(` (${link.href})`);
        link = undefined;
      }
      continue;
    }
    if (cell) {
      if (tag === 'br') cell.text += ' ';
      continue;
    }
    if (/^h[1-6]$/.test(tag)) {
      if (!close) {
        flush();
        lines.push('');
      } else {
        const text = current.replace(/\s+/g, ' ').trim();
        current = '';
        if (text)
          lines.push(indent + text, indent + (tag <= 'h2' ? '=' : '-').repeat(displayWidth(text)));
      }
      continue;
    }
    if (tag === 'summary') {
      if (!close) flush();
      else {
        const text = current.replace(/\s+/g, ' ').trim();
        current = '';
        lines.push(`${indent}${text}:`);
      }
      continue;
    }
    if (tag === 'ul' || tag === 'ol') {
      flush();
      listDepth = Math.max(0, listDepth + (close ? -1 : 1));
      continue;
    }
    if (tag === 'li') {
      flush();
      if (!close) current = `${'  '.repeat(Math.max(0, listDepth - 1))}- `;
      continue;
    }
    if (tag === 'blockquote') {
      flush();
      indent = close ? indent.slice(2) : `${indent}  `;
      continue;
    }
    if (tag === 'hr') {
      flush();
      lines.push(`${indent}${'-'.repeat(40)}`);
      continue;
    }
    if (tag === 'img') {
      append(attribute(attrs, 'alt') ?? '');
      continue;
    }
    if (BLOCK_TAGS.test(tag)) {
      if (pre > 0) continue;
      if (tag === 'br') {
        flush();
        continue;
      }
      flush();
      if (close && (tag === 'p' || tag === 'details')) lines.push('');
    }
  }
  flush();
  return lines;
}

/** @param {string} line */
function markdownCells(line) {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => stripMarkdown(cell.replace(/\\\|/g, '|').trim()));
}

/**
 * @param {string} text
 * @returns {string}
 */
function stripMarkdown(text) {
  return decodeEntities(
    text
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(
        /\[([^\]]+)\]\(([^)]+)\)/g,
        (/** @type {string} */ _, /** @type {string} */ label, /** @type {string} */ href) =>
          label === href ? href : `${label} (${href})`,
      )
      .replace(/(\*\*|__)(.+?)\1/g, '$2')
      .replace(/`([^`]+)`/g, '$1'),
  );
}

/**
 * @param {string} markdown
 * @returns {string[]}
 */
function markdownToLines(markdown) {
  /** @type {string[]} */
  const lines = [];
  const source = markdown.split('\n');
  const at = (/** @type {number} */ k) => source[k] ?? '';
  for (let i = 0; i < source.length; i++) {
    const line = at(i);
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const [, level = '', title = ''] = heading;
      const text = stripMarkdown(title.replace(/\s+#+\s*$/, ''));
      lines.push('', text, (level.length <= 2 ? '=' : '-').repeat(displayWidth(text)));
      continue;
    }
    const isRow = (/** @type {string | undefined} */ l) =>
      l !== undefined && /^\s*\|.*\|\s*$/.test(l);
    const isSeparator = (/** @type {string | undefined} */ l) =>
      l !== undefined && /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(l);
    if (isRow(line) && isSeparator(source[i + 1])) {
      const rows = [markdownCells(line)];
      i += 2;
      while (isRow(source[i])) rows.push(markdownCells(at(i++)));
      i -= 1;
      lines.push('', ...renderTable(rows), '');
      continue;
    }
    if (/^```/.test(line)) {
      i += 1;
      while (i < source.length && !/^```/.test(at(i))) lines.push(`  ${at(i++)}`);
      continue;
    }
    lines.push(stripMarkdown(line.replace(/^(\s*)[*+] /, '$1- ')));
  }
  return lines;
}
