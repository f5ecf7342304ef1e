import type { ImageSize } from './geometry';

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  [...text].every((char, index) => bytes[at + index] === char.charCodeAt(0));

/**
 * An image's size in pixels as it is shown, read from its header: PNG, GIF, WebP (lossy,
 * lossless, extended) and JPEG, whose EXIF orientation 5–8 (turned a quarter) swaps width and
 * height as browsers and YOLO's tools do. Undefined for other formats or a damaged header.
 */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (length: number) => bytes.length >= length;
  let size: ImageSize | undefined;
  if (has(24) && bytes[0] === 0x89 && ascii(bytes, 1, 'PNG') && ascii(bytes, 12, 'IHDR'))
    size = { width: view.getUint32(16), height: view.getUint32(20) };
  else if (has(10) && (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')))
    size = { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  else if (has(30) && ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) size = webpSize(bytes);
  else if (has(4) && bytes[0] === 0xff && bytes[1] === 0xd8) size = jpegSize(bytes, view);
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

function webpSize(bytes: Uint8Array): ImageSize | undefined {
  const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
  if (ascii(bytes, 12, 'VP8 ') && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a)
    return {
      width: (bytes[26]! | (bytes[27]! << 8)) & 0x3fff,
      height: (bytes[28]! | (bytes[29]! << 8)) & 0x3fff,
    };
  if (ascii(bytes, 12, 'VP8L') && bytes[20] === 0x2f) {
    const [b0, b1, b2, b3] = [bytes[21]!, bytes[22]!, bytes[23]!, bytes[24]!];
    return {
      width: 1 + (((b1 & 0x3f) << 8) | b0),
      height: 1 + (((b3 & 0x0f) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
    };
  }
  if (ascii(bytes, 12, 'VP8X')) return { width: 1 + u24(24), height: 1 + u24(27) };
  return undefined;
}

/** Start-of-frame markers: every SOFn but DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegSize(bytes: Uint8Array, view: DataView): ImageSize | undefined {
  let orientation = 1;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end, or scan data before a frame
    const length = view.getUint16(at + 2);
    if (length < 2) return undefined;
    if (marker === 0xe1 && ascii(bytes, at + 4, 'Exif\0\0'))
      orientation = exifOrientation(view, at + 10, Math.min(bytes.length, at + 2 + length));
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) return undefined;
      const height = view.getUint16(at + 5);
      const width = view.getUint16(at + 7);
      return orientation >= 5 && orientation <= 8
        ? { width: height, height: width }
        : { width, height };
    }
    at += 2 + length;
  }
  return undefined;
}

/** The Orientation tag (0x0112) of IFD0 of the TIFF structure at `start`; 1 when absent. */
function exifOrientation(view: DataView, start: number, end: number): number {
  if (start + 8 > end) return 1;
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > end) return 1;
  const count = view.getUint16(ifd, little);
  for (let index = 0; index < count; index++) {
    const entry = ifd + 2 + index * 12;
    if (entry + 12 > end) return 1;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
  }
  return 1;
}
