import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import {
  childElement,
  childElements,
  escapeXmlAttribute,
  escapeXmlText,
  parseXml,
  textContent,
} from './xml';

function errorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('the XML reader', () => {
  it('reads elements, attributes, text, CDATA, comments and the predefined entities', () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<a x="1 &amp; 2" y='&#x1F600;'>\n  <b>Fish &lt;&amp;&gt; chips &#233;</b><c/><![CDATA[<raw> & stuff]]>\n</a>\n`,
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1 & 2', y: '😀' });
    expect(textContent(childElement(root, 'b')!)).toBe('Fish <&> chips é');
    expect(childElements(root).map((element) => element.name)).toEqual(['b', 'c']);
    expect(textContent(root)).toContain('<raw> & stuff');
    expect(childElement(root, 'b')!.line).toBe(4);
  });

  it('refuses a DOCTYPE outright, naming its line', () => {
    const billionLaughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;">\n]>\n<lolz>&lol2;</lolz>`;
    const error = errorOf(() => parseXml(billionLaughs, { file: 'a.xml' }));
    expect(error.message).toBe(
      '"a.xml", line 2: DOCTYPE declarations are refused: Quorum reads no DTDs and expands no entities',
    );
  });

  it('refuses ENTITY declarations and unknown entities even without a DOCTYPE', () => {
    expect(errorOf(() => parseXml('<a><!ENTITY x "y"></a>')).message).toContain(
      'ENTITY declarations are refused',
    );
    expect(errorOf(() => parseXml('<a>&xxe;</a>')).message).toContain('unknown entity &xxe;');
    expect(errorOf(() => parseXml('<a>AT&T</a>')).message).toContain('a bare "&"');
    expect(errorOf(() => parseXml('<a>&#0;</a>')).message).toContain('not a character XML allows');
  });

  it('refuses malformed documents with the line', () => {
    expect(errorOf(() => parseXml('<a>\n<b>\n</a>')).message).toBe(
      'line 3: </a> closes <b> (opened on line 2)',
    );
    expect(errorOf(() => parseXml('<a>')).message).toContain('<a> (line 1) is never closed');
    expect(errorOf(() => parseXml('<a/><b/>')).message).toContain('a second root element');
    expect(errorOf(() => parseXml('<a x="1" x="2"/>')).message).toContain('appears twice');
    expect(errorOf(() => parseXml('<a x=1/>')).message).toContain('must be quoted');
    expect(errorOf(() => parseXml('text<a/>')).message).toContain('text outside the root element');
    expect(errorOf(() => parseXml('<a>\u0001</a>')).message).toContain('U+0001');
  });

  it('stops at the nesting limit instead of growing without bound', () => {
    expect(() => parseXml(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`)).toThrow(/deeper than 256/);
  });

  it('keeps an attribute named __proto__ as an attribute', () => {
    const root = parseXml('<a __proto__="x"/>');
    expect(Object.getPrototypeOf(root.attributes)).toBeNull();
    expect(root.attributes['__proto__']).toBe('x');
  });

  it('round-trips any text through the escapes (line breaks included)', () => {
    const text = fc
      .string({ unit: 'grapheme' })
      .map((value) => value.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, ''));
    fc.assert(
      fc.property(text, text, (content, attribute) => {
        const root = parseXml(
          `<a v="${escapeXmlAttribute(attribute)}">${escapeXmlText(content)}</a>`,
        );
        expect(textContent(root)).toBe(content);
        expect(root.attributes.v).toBe(attribute);
      }),
    );
  });
});
