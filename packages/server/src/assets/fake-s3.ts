import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory S3 for tests: PUT, GET and DELETE of objects in path-style requests, with every
 * request's Signature Version 4 checked. The verifier is written apart from `sigv4.ts` on purpose
 * (its own encoder, parser and key derivation), so a bug there is not mirrored here.
 */

export interface FakeS3Options {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface FakeS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Each request's method and path as it arrived on the wire. */
  requests: { method: string; rawPath: string }[];
  close(): Promise<void>;
}

export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const requests: { method: string; rawPath: string }[] = [];
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const method = request.method ?? 'GET';
    requests.push({ method, rawPath });
    // Read the whole body first, as S3 does, so the client never writes into a closed socket.
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      return; // the client gave up
    }
    const body = Buffer.concat(chunks);

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const verdict = verifySigV4(
      { method, rawPath, rawQuery, headers },
      {
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
        region: options.region,
      },
    );
    if (!verdict.ok) return sendError(response, verdict.status, verdict.code, verdict.message);

    const payloadHash = headers['x-amz-content-sha256'];
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) {
      return sendError(
        response,
        400,
        'XAmzContentSHA256Mismatch',
        'The provided x-amz-content-sha256 header does not match what was computed.',
      );
    }

    const path = decodePath(rawPath);
    const bucketPrefix = `/${options.bucket}/`;
    if (path === undefined || !path.startsWith(bucketPrefix)) {
      return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    }
    const key = path.slice(bucketPrefix.length);

    switch (method) {
      case 'PUT': {
        const declared = headers['content-length'];
        if (declared === undefined) {
          return sendError(
            response,
            411,
            'MissingContentLength',
            'You must provide the Content-Length HTTP header.',
          );
        }
        if (Number(declared) !== body.length) {
          return sendError(
            response,
            400,
            'IncompleteBody',
            'You did not provide the number of bytes specified by the Content-Length HTTP header.',
          );
        }
        objects.set(key, { body, contentType: headers['content-type'] ?? 'binary/octet-stream' });
        response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        return response.end();
      }
      case 'GET': {
        const object = objects.get(key);
        if (!object)
          return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.');
        response.writeHead(200, {
          'content-type': object.contentType,
          'content-length': object.body.length,
        });
        return response.end(object.body);
      }
      case 'DELETE':
        objects.delete(key);
        response.writeHead(204);
        return response.end();
      default:
        return sendError(
          response,
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
        );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface ReceivedRequest {
  method: string;
  /** The path as it arrived, still percent-encoded. */
  rawPath: string;
  rawQuery: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export type Verdict = { ok: true } | { ok: false; status: number; code: string; message: string };

/** Recomputes the request's SigV4 signature from what arrived and compares it with the one sent. */
export function verifySigV4(
  request: ReceivedRequest,
  secrets: { accessKeyId: string; secretAccessKey: string; region: string },
): Verdict {
  const authorization = request.headers.authorization;
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization ?? '',
    );
  if (!match)
    return deny(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
  const [, credential = '', signedHeaderList = '', signature = ''] = match;
  const [accessKeyId, day, region, service, terminator, ...rest] = credential.split('/');
  if (accessKeyId !== secrets.accessKeyId) {
    return deny(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  const amzDate = request.headers['x-amz-date'] ?? '';
  if (
    rest.length > 0 ||
    !/^\d{8}T\d{6}Z$/.test(amzDate) ||
    day !== amzDate.slice(0, 8) ||
    region !== secrets.region ||
    service !== 's3' ||
    terminator !== 'aws4_request'
  ) {
    return deny(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.');
  }
  const signedNames = signedHeaderList.split(';');
  if (!signedNames.includes('host') || request.headers['x-amz-content-sha256'] === undefined) {
    return deny(
      400,
      'AuthorizationHeaderMalformed',
      'Host must be signed and a payload hash sent.',
    );
  }

  const path = decodePath(request.rawPath);
  if (path === undefined) return deny(400, 'InvalidURI', 'Could not parse the specified URI.');
  const canonicalHeaders: string[] = [];
  for (const name of signedNames) {
    const value = request.headers[name];
    if (value === undefined)
      return deny(403, 'SignatureDoesNotMatch', 'A signed header is missing.');
    canonicalHeaders.push(`${name}:${value.trim().split(/ +/).join(' ')}\n`);
  }
  const canonicalRequest = [
    request.method,
    path.split('/').map(uriEncode).join('/'),
    canonicalQueryOf(request.rawQuery),
    canonicalHeaders.join(''),
    signedHeaderList,
    request.headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${region}/${service}/${terminator}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonicalRequest)}`;

  let key: Buffer = Buffer.from(`AWS4${secrets.secretAccessKey}`, 'utf8');
  for (const part of [day, region, service, terminator]) key = hmacSha256(key, part);
  const expected = hmacSha256(key, stringToSign);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return deny(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  return { ok: true };
}

function deny(status: number, code: string, message: string): Verdict {
  return { ok: false, status, code, message };
}

/** RFC 3986 encoding of the UTF-8 bytes, byte by byte: only A-Z a-z 0-9 - _ . ~ stay as they are. */
function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decodePath(rawPath: string): string | undefined {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
}

function canonicalQueryOf(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = at === -1 ? pair : pair.slice(0, at);
      const value = at === -1 ? '' : pair.slice(at + 1);
      return `${uriEncode(decodeURIComponent(name))}=${uriEncode(decodeURIComponent(value))}`;
    })
    .sort()
    .join('&');
}

function sendError(response: ServerResponse, status: number, code: string, message: string) {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  });
  response.end(xml);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmacSha256(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
