import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isInlineMediaType, sniffMediaType } from './media';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe('media type sniffing', () => {
  it.each([
    [bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'image/png'],
    [bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    [text('GIF89a...'), 'image/gif'],
    [text('RIFF\0\0\0\0WEBPVP8 '), 'image/webp'],
    [text('%PDF-1.7\n'), 'application/pdf'],
    [text('\0\0\0\x18ftypmp42'), 'video/mp4'],
    [text('\0\0\0\x18ftypheic'), 'image/heic'],
    [text('\0\0\0\x18ftypM4A '), 'audio/mp4'],
    [text('ID3\x04'), 'audio/mpeg'],
    [text('{"a": 1}'), 'application/json'],
    [text('plain words, ünïcödé'), 'text/plain; charset=utf-8'],
    [bytes(0x00, 0x01, 0x02, 0xff), 'application/octet-stream'],
  ])('recognises %#', (head, expected) => {
    expect(sniffMediaType(head)).toBe(expected);
  });

  it('never serves markup that a browser would run', () => {
    for (const markup of [
      '<!doctype html><script>alert(1)</script>',
      '<svg onload="alert(1)"/>',
      '<?xml version="1.0"?>',
    ]) {
      expect(sniffMediaType(text(markup))).toBe('text/plain; charset=utf-8');
    }
  });

  it('keeps text that a sniffing window cuts inside a character', () => {
    const cut = text('naïve café ☕').subarray(0, 15);
    expect(sniffMediaType(cut)).toBe('text/plain; charset=utf-8');
  });

  it('always answers one of the known types', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (head) => {
        expect(sniffMediaType(head)).toMatch(/^(image|video|audio|application|text)\//);
      }),
    );
  });

  it('shows images and documents inline and downloads the rest', () => {
    expect(isInlineMediaType('image/png')).toBe(true);
    expect(isInlineMediaType('application/pdf')).toBe(true);
    expect(isInlineMediaType('text/plain; charset=utf-8')).toBe(false);
    expect(isInlineMediaType('application/octet-stream')).toBe(false);
  });
});
