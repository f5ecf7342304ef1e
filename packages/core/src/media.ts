/**
 * The media type the server serves a stored file as, decided from its first bytes, never from
 * what the uploader claimed. Anything that could run in a browser (HTML, SVG, XML) is served as
 * plain text; unknown binary as octet-stream.
 */
export function sniffMediaType(head: Uint8Array): string {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const ascii = (from: number, text: string) =>
    [...text].every((c, i) => head[from + i] === c.charCodeAt(0));
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'audio/wav';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  if (ascii(0, '%PDF-')) return 'application/pdf';
  if (ascii(4, 'ftyp')) {
    // ISO media: the major brand says which kind.
    if (['heic', 'heix', 'mif1', 'msf1'].some((brand) => ascii(8, brand))) return 'image/heic';
    if (ascii(8, 'avif')) return 'image/avif';
    if (ascii(8, 'M4A ')) return 'audio/mp4';
    return ascii(8, 'qt  ') ? 'video/quicktime' : 'video/mp4';
  }
  if (starts(0x1a, 0x45, 0xdf, 0xa3)) return 'video/webm';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (ascii(0, 'fLaC')) return 'audio/flac';
  if (ascii(0, 'ID3') || starts(0xff, 0xfb) || starts(0xff, 0xf3) || starts(0xff, 0xf2))
    return 'audio/mpeg';
  if (isUtf8Text(head)) {
    const text = new TextDecoder().decode(head).trimStart();
    if (text.startsWith('{') || text.startsWith('[')) return 'application/json';
    return 'text/plain; charset=utf-8';
  }
  return 'application/octet-stream';
}

/** Media types a browser may show inline; everything else is served as a download. */
export function isInlineMediaType(type: string): boolean {
  return /^(image\/(png|jpeg|gif|webp|tiff|heic|avif)|application\/pdf|video\/|audio\/)/.test(type);
}

function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  if (bytes.includes(0)) return false;
  try {
    // A sniffing window may cut a multi-byte character at its end: allow up to 3 bytes short.
    new TextDecoder('utf-8', { fatal: true }).decode(trimPartialCharacter(bytes));
    return true;
  } catch {
    return false;
  }
}

function trimPartialCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
    if ((byte & 0x80) === 0) return bytes;
  }
  return bytes;
}
