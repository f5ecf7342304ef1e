import { FormatError } from './errors';

/** An element of a parsed XML document; text children are strings, entities already decoded. */
export interface XmlElement {
  name: string;
  /** No prototype: an attribute named `__proto__` is just an attribute. */
  attributes: Readonly<Record<string, string>>;
  children: Array<XmlElement | string>;
  /** The line its start tag is on. */
  line: number;
}

export interface XmlOptions {
  /** Named in errors. */
  file?: string;
  /** Deepest element nesting accepted (default 256). */
  maxDepth?: number;
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*/y;
const SPACE = /[ \t\r\n]*/y;
const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};
// Characters XML 1.0 cannot contain at all (C0 controls but tab and line breaks, U+FFFE/U+FFFF).
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i;

function isXmlCodePoint(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * A small, safe XML reader for the files Quorum imports (Pascal VOC, Label Studio configs).
 * DOCTYPE and ENTITY declarations are refused outright, wherever they appear, so no DTD is read
 * and no entity is ever expanded; only the five predefined entities and character references
 * are decoded. Comments and processing instructions are skipped; namespaces are not resolved
 * (a prefixed name is kept as written).
 */
export function parseXml(text: string, options: XmlOptions = {}): XmlElement {
  const { file, maxDepth = 256 } = options;
  let counted = 0;
  let countedLine = 1;
  const lineAt = (index: number): number => {
    if (index < counted) {
      counted = 0;
      countedLine = 1;
    }
    for (
      let at = text.indexOf('\n', counted);
      at >= 0 && at < index;
      at = text.indexOf('\n', at + 1)
    )
      countedLine++;
    counted = index;
    return countedLine;
  };
  const fail = (message: string, index: number): never => {
    throw new FormatError(message, { file, line: lineAt(index) });
  };

  const declaration = DECLARATION.exec(text);
  if (declaration) {
    fail(
      `${declaration[1]!.toUpperCase()} declarations are refused: Quorum reads no DTDs and expands no entities`,
      declaration.index,
    );
  }
  const forbidden = FORBIDDEN.exec(text);
  if (forbidden)
    fail(
      `contains the character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, '0')}, which XML does not allow`,
      forbidden.index,
    );

  const decode = (raw: string, index: number): string => {
    if (!raw.includes('&')) return raw;
    let out = '';
    let from = 0;
    for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
      const semi = raw.indexOf(';', amp);
      const name = semi < 0 ? '' : raw.slice(amp + 1, semi);
      let decoded: string | undefined;
      if (/^#[0-9]{1,7}$/.test(name) || /^#x[0-9a-fA-F]{1,6}$/.test(name)) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (!isXmlCodePoint(code)) fail(`&${name}; is not a character XML allows`, index);
        decoded = String.fromCodePoint(code);
      } else if (Object.hasOwn(PREDEFINED, name)) {
        decoded = PREDEFINED[name];
      }
      if (decoded === undefined) {
        if (semi < 0 || !/^[A-Za-z_][\w.-]*$/.test(name)) fail('a bare "&" (write &amp;)', index);
        fail(
          `unknown entity &${name}; (only &lt; &gt; &amp; &quot; &apos; and character references are read)`,
          index,
        );
      }
      out += raw.slice(from, amp) + decoded;
      from = semi + 1;
    }
    return out + raw.slice(from);
  };

  const readName = (at: number): string => {
    NAME.lastIndex = at;
    const match = NAME.exec(text);
    if (!match) return fail('expected a name after "<"', at);
    return match[0];
  };
  const skipSpace = (at: number): number => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    return SPACE.lastIndex;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('<', at);
    const end = open < 0 ? text.length : open;
    if (end > at) {
      const raw = text.slice(at, end);
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (raw.trim() !== '') fail('text outside the root element', at);
      } else {
        pushText(parent, decode(normalizeLineEnds(raw), at));
      }
    }
    if (open < 0) break;
    if (text.startsWith('<!--', open)) {
      const close = text.indexOf('-->', open + 4);
      if (close < 0) fail('a comment is never closed', open);
      at = close + 3;
    } else if (text.startsWith('<![CDATA[', open)) {
      const close = text.indexOf(']]>', open + 9);
      if (close < 0) fail('a CDATA section is never closed', open);
      const parent = stack[stack.length - 1];
      if (!parent) fail('CDATA outside the root element', open);
      pushText(parent!, normalizeLineEnds(text.slice(open + 9, close)));
      at = close + 3;
    } else if (text.startsWith('<!', open)) {
      fail('declarations are not accepted', open);
    } else if (text.startsWith('<?', open)) {
      const close = text.indexOf('?>', open + 2);
      if (close < 0) fail('a processing instruction is never closed', open);
      at = close + 2;
    } else if (text.startsWith('</', open)) {
      const name = readName(open + 2);
      const close = skipSpace(open + 2 + name.length);
      if (text[close] !== '>') fail(`expected ">" to end </${name}`, close);
      const element = stack.pop();
      if (!element || element.name !== name)
        fail(
          element
            ? `</${name}> closes <${element.name}> (opened on line ${element.line})`
            : `</${name}> closes nothing`,
          open,
        );
      at = close + 1;
    } else {
      if (root && stack.length === 0) fail('a second root element', open);
      const name = readName(open + 1);
      const attributes = Object.create(null) as Record<string, string>;
      let cursor = open + 1 + name.length;
      let selfClosing = false;
      for (;;) {
        const next = skipSpace(cursor);
        if (text.startsWith('/>', next)) {
          selfClosing = true;
          cursor = next + 2;
          break;
        }
        if (text[next] === '>') {
          cursor = next + 1;
          break;
        }
        if (next === cursor) fail(`expected a space, ">" or "/>" in <${name}>`, next);
        const attribute = readName(next);
        let value = skipSpace(next + attribute.length);
        if (text[value] !== '=') fail(`attribute ${attribute} of <${name}> has no value`, value);
        value = skipSpace(value + 1);
        const quote = text[value];
        if (quote !== '"' && quote !== "'") fail(`the value of ${attribute} must be quoted`, value);
        const close = text.indexOf(quote!, value + 1);
        if (close < 0) fail(`the value of ${attribute} is never closed`, value);
        const raw = text.slice(value + 1, close);
        if (raw.includes('<')) fail(`the value of ${attribute} contains "<"`, value);
        if (Object.hasOwn(attributes, attribute))
          fail(`attribute ${attribute} appears twice in <${name}>`, next);
        // XML's attribute-value normalisation: literal tabs and line breaks read as spaces.
        attributes[attribute] = decode(raw.replace(/\r\n?|[\t\n]/g, ' '), value);
        cursor = close + 1;
      }
      const element: XmlElement = { name, attributes, children: [], line: lineAt(open) };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else root = element;
      if (!selfClosing) {
        if (stack.length >= maxDepth) fail(`elements nest deeper than ${maxDepth} levels`, open);
        stack.push(element);
      }
      at = cursor;
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) fail(`<${unclosed.name}> (line ${unclosed.line}) is never closed`, text.length);
  if (!root) fail('has no root element', 0);
  return root!;
}

/** XML reads CRLF and lone CR as LF. */
function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function pushText(parent: XmlElement, text: string): void {
  const last = parent.children.length - 1;
  const previous = parent.children[last];
  if (typeof previous === 'string') parent.children[last] = previous + text;
  else parent.children.push(text);
}

/** The child elements of an element, only those named `name` when given. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement =>
      typeof child !== 'string' && (name === undefined || child.name === name),
  );
}

/** The first child element named `name`. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element, name)[0];
}

/** All the text inside an element, nested elements' included, in document order. */
export function textContent(element: XmlElement): string {
  return element.children
    .map((child) => (typeof child === 'string' ? child : textContent(child)))
    .join('');
}

// Lone surrogates and the characters XML cannot hold become U+FFFD rather than breaking a file.
const UNWRITABLE =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as XML element content: `&`, `<`, `>` escaped, carriage returns kept as references (a
 * reader turns a literal one into LF), characters XML cannot hold replaced.
 */
export function escapeXmlText(text: string): string {
  return text
    .replace(UNWRITABLE, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/** Text as a double-quoted attribute value; line breaks and tabs survive as references. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replaceAll('"', '&quot;')
    .replaceAll('\t', '&#9;')
    .replaceAll('\n', '&#10;');
}
