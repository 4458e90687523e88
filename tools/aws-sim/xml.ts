/**
 * The little XML the AWS wire protocols need: a serialiser for responses
 * (Query and REST-XML) and a parser for REST-XML request bodies.
 *
 * Both use one convention for lists, because the element name of a list item
 * comes from the service model and differs between protocols: an array under
 * key K is written as repeated <K> elements. So a Query list is
 * `{ Items: { member: [a, b] } }` and a CloudFront list is
 * `{ Items: { Path: ['/a', '/b'] } }`; the parser reads both back the same way.
 */

export type XmlValue =
  string | number | boolean | Date | XmlObject | readonly XmlValue[] | undefined;
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

/** A parsed element: its text when it has no child elements, else its children by name. */
export type ParsedXml = string | ParsedXmlObject;
export interface ParsedXmlObject {
  [name: string]: ParsedXml | ParsedXml[];
}

export function toXml(root: string, value: XmlObject, xmlns?: string): string {
  const attributes = xmlns === undefined ? '' : ` xmlns="${escapeAttribute(xmlns)}"`;
  return `<${root}${attributes}>${children(value)}</${root}>`;
}

export function xmlDocument(root: string, value: XmlObject, xmlns?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toXml(root, value, xmlns)}`;
}

/** ISO 8601 in UTC without milliseconds, as STS writes `Expiration`. */
export function xmlTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Escapes element text; AWS leaves quotes in text as they are. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/"/g, '&quot;');
}

function children(value: XmlObject): string {
  return Object.entries(value)
    .map(([name, child]) => element(name, child))
    .join('');
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: XmlValue) => element(name, item)).join('');
  return `<${name}>${content(value as Exclude<XmlValue, readonly XmlValue[] | undefined>)}</${name}>`;
}

function content(value: string | number | boolean | Date | XmlObject): string {
  if (value instanceof Date) return xmlTimestamp(value);
  if (typeof value === 'object') return children(value);
  return escapeXml(String(value));
}

/** Normalises a parsed list: absent -> [], one item -> [item]. */
export function asList(value: ParsedXml | ParsedXml[] | undefined): ParsedXml[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const TOKEN =
  /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(\/?)>|([^<]+)/g;

interface OpenElement {
  name: string;
  text: string;
  children: ParsedXmlObject | undefined;
}

/**
 * Parses a document into `{ root, value }`. Attributes (xmlns) are dropped:
 * AWS request bodies carry their data in elements. Throws on malformed input.
 */
export function parseXml(text: string): { root: string; value: ParsedXml } {
  const stack: OpenElement[] = [];
  let result: { root: string; value: ParsedXml } | undefined;
  for (const match of text.matchAll(TOKEN)) {
    const [, cdata, closing, opening, selfClosing, chars] = match;
    const current = stack[stack.length - 1];
    if (opening !== undefined) {
      if (result) throw new Error('More than one root element');
      stack.push({ name: opening, text: '', children: undefined });
      if (selfClosing) result = closeElement(stack, opening) ?? result;
    } else if (closing !== undefined) {
      result = closeElement(stack, closing) ?? result;
    } else if (cdata !== undefined && current) {
      current.text += cdata;
    } else if (chars !== undefined && current) {
      current.text += decodeEntities(chars);
    } else if (chars !== undefined && chars.trim() !== '') {
      throw new Error('Text outside the root element');
    }
  }
  if (stack.length > 0 || !result) throw new Error('Unterminated XML document');
  return result;
}

/** Pops the element; returns the document when it was the root. */
function closeElement(
  stack: OpenElement[],
  name: string,
): { root: string; value: ParsedXml } | undefined {
  const element = stack.pop();
  if (!element || element.name !== name) throw new Error(`Unexpected </${name}>`);
  const value: ParsedXml = element.children ?? element.text;
  const parent = stack[stack.length - 1];
  if (!parent) return { root: name, value };
  parent.children ??= {};
  const existing = parent.children[name];
  if (existing === undefined) parent.children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent.children[name] = [existing, value];
  return undefined;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return NAMED_ENTITIES[entity] ?? whole;
  });
}
