import { describe, expect, it } from 'vitest';
import { readImageSize } from './image-size';

const bytes = (...parts: Array<number[] | string>) =>
  Uint8Array.from(
    parts.flatMap((part) =>
      typeof part === 'string' ? [...part].map((char) => char.charCodeAt(0)) : part,
    ),
  );
const u16be = (value: number) => [value >> 8, value & 0xff];
const u32be = (value: number) => [...u16be(value >>> 16), ...u16be(value & 0xffff)];

/** A PNG's signature and IHDR chunk (the rest of the file does not matter here). */
function pngHeader(width: number, height: number): Uint8Array {
  return bytes([0x89], 'PNG\r\n\x1a\n', u32be(13), 'IHDR', u32be(width), u32be(height), [8, 2]);
}

/** A JPEG's start, an optional EXIF orientation, and a baseline frame header. */
function jpegHeader(width: number, height: number, orientation?: number): Uint8Array {
  const exif =
    orientation === undefined
      ? []
      : [
          0xff,
          0xe1,
          ...u16be(2 + 6 + 8 + 2 + 12 + 4),
          ...bytes('Exif\0\0'),
          ...bytes('MM'),
          ...u16be(42),
          ...u32be(8),
          ...u16be(1),
          ...u16be(0x0112),
          ...u16be(3),
          ...u32be(1),
          ...u16be(orientation),
          0,
          0,
          ...u32be(0),
        ];
  return bytes(
    [0xff, 0xd8],
    [0xff, 0xe0, ...u16be(16)],
    'JFIF\0',
    [1, 1, 0, 0, 1, 0, 1, 0, 0],
    exif,
    [0xff, 0xc0, ...u16be(17), 8, ...u16be(height), ...u16be(width), 3],
    new Array<number>(9).fill(0),
  );
}

describe('image sizes from headers', () => {
  it('reads PNG, GIF and JPEG sizes', () => {
    expect(readImageSize(pngHeader(640, 480))).toEqual({ width: 640, height: 480 });
    expect(readImageSize(bytes('GIF89a', [0x20, 0x03, 0x58, 0x02]))).toEqual({
      width: 800,
      height: 600,
    });
    expect(readImageSize(jpegHeader(1024, 768))).toEqual({ width: 1024, height: 768 });
  });

  it('swaps a JPEG turned a quarter by its EXIF orientation, as it is shown', () => {
    expect(readImageSize(jpegHeader(4000, 3000, 6))).toEqual({ width: 3000, height: 4000 });
    expect(readImageSize(jpegHeader(4000, 3000, 3))).toEqual({ width: 4000, height: 3000 });
  });

  it('reads the three kinds of WebP', () => {
    const riff = (chunk: string, body: number[]) =>
      bytes('RIFF', [0, 0, 0, 0], 'WEBP', chunk, [0, 0, 0, 0], body);
    expect(
      readImageSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01])),
    ).toEqual({ width: 640, height: 480 });
    // Lossless: 14-bit width-1 and height-1 packed after the 0x2f signature.
    const [w, h] = [99, 49];
    const packed = (w - 1) | ((h - 1) << 14);
    expect(
      readImageSize(
        riff('VP8L', [
          0x2f,
          packed & 0xff,
          (packed >> 8) & 0xff,
          (packed >> 16) & 0xff,
          (packed >> 24) & 0xff,
          0,
          0,
          0,
          0,
          0,
        ]),
      ),
    ).toEqual({ width: 99, height: 49 });
    expect(readImageSize(riff('VP8X', [0, 0, 0, 0, 0x7f, 0x07, 0, 0x37, 0x04, 0]))).toEqual({
      width: 1920,
      height: 1080,
    });
  });

  it('answers undefined for other formats and damaged headers', () => {
    expect(readImageSize(bytes('II*\0', [0, 0, 0, 0]))).toBeUndefined();
    expect(readImageSize(pngHeader(640, 480).subarray(0, 20))).toBeUndefined();
    expect(readImageSize(bytes([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeUndefined();
    expect(readImageSize(pngHeader(0, 480))).toBeUndefined();
  });
});
