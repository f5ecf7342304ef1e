import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, isDomainError } from '@quorum/core';
import { withUploadBody } from './body';
import { sizeMismatch, storeUnavailable } from './errors';
import { assertAssetKey } from './keys';
import { encodeS3Path, sha256Hex, signRequest, UNSIGNED_PAYLOAD } from './sigv4';
import type { AssetStore } from './store';

export interface S3AssetStoreConfig {
  /** Where the S3 API answers, e.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO URL. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `endpoint/bucket/key` when true, `bucket.endpoint/key` otherwise. */
  forcePathStyle: boolean;
}

/** S3's limit for a single PUT; larger objects would need a multipart upload. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
/** A connection silent for this long is given up on; large bodies may take longer in total. */
const IDLE_TIMEOUT_MS = 60_000;
/** How much of an error response is read to find its Code. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const EMPTY_SHA256 = sha256Hex('');

/**
 * Keeps assets in an S3-compatible bucket, speaking the REST API with Signature Version 4. The
 * endpoint is the operator's, so requests do not go through the egress guard.
 */
export function createS3AssetStore(config: S3AssetStoreConfig): AssetStore {
  const endpoint = parseEndpoint(config.endpoint);
  const credentials = {
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    region: config.region,
    service: 's3',
  };

  const objectUrl = (key: string) =>
    s3ObjectUrl(endpoint, config.bucket, config.forcePathStyle, key);

  /** Signs and sends one request; resolves with the response, whatever its status. */
  function send(
    method: string,
    url: URL,
    options: {
      headers?: Record<string, string>;
      payloadHash: string;
      body?: Readable;
      length?: number;
    },
  ): Promise<IncomingMessage> {
    const signed = signRequest(
      {
        method,
        path: url.pathname,
        headers: { host: url.host, ...options.headers },
        payloadHash: options.payloadHash,
      },
      credentials,
      new Date(),
    );
    const headers: OutgoingHttpHeaders = { ...signed.headers };
    if (options.length !== undefined) headers['content-length'] = options.length;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers,
    });
    return new Promise((resolve, reject) => {
      // A body that fails (or is the wrong size) explains the failure better than the socket.
      let bodyError: unknown;
      request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(storeUnavailable('Timeout')));
      request.on('error', (error) => reject(bodyError ?? storeError(error)));
      request.on('response', (response) => {
        response.setTimeout(IDLE_TIMEOUT_MS, () => response.destroy(storeUnavailable('Timeout')));
        resolve(response);
      });
      if (!options.body) {
        request.end();
        return;
      }
      const sent =
        options.length === undefined
          ? pipeline(options.body, request)
          : pipeline(options.body, countBytes(options.length), request);
      sent.catch((error: unknown) => {
        bodyError = error;
        request.destroy(error instanceof Error ? error : undefined);
      });
    });
  }

  async function putObject(
    key: string,
    contentType: string,
    body: Readable,
    length: number,
    payloadHash: string,
  ) {
    const url = objectUrl(key);
    const response = await send('PUT', url, {
      headers: { 'content-type': contentType },
      payloadHash,
      body,
      length,
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) throw s3Failure(response, await s3ErrorCode(response));
    response.resume();
  }

  return {
    put(key, body, options) {
      return withUploadBody(body, async () => {
        assertAssetKey(key);
        if (options.size !== undefined) {
          if (options.size > MAX_SINGLE_PUT_BYTES) throw tooLarge();
          await putObject(key, options.contentType, body, options.size, UNSIGNED_PAYLOAD);
          return;
        }
        // S3 needs the length up front; spooling to disk also lets the payload be signed.
        const spool = await spoolToDisk(body);
        try {
          await putObject(
            key,
            options.contentType,
            createReadStream(spool.path),
            spool.size,
            spool.sha256,
          );
        } finally {
          await spool.remove();
        }
      });
    },

    async get(key) {
      const response = await send('GET', objectUrl(key), { payloadHash: EMPTY_SHA256 });
      if (response.statusCode !== 200) {
        const code = await s3ErrorCode(response);
        // A missing bucket is also a 404, but it is a misconfiguration, not a missing asset.
        if (response.statusCode === 404 && (code === undefined || code === 'NoSuchKey')) {
          return undefined;
        }
        throw s3Failure(response, code);
      }
      const size = Number(response.headers['content-length']);
      if (!Number.isSafeInteger(size) || size < 0) {
        response.destroy();
        throw storeUnavailable('MissingContentLength');
      }
      return { body: response, size };
    },

    async delete(key) {
      const response = await send('DELETE', objectUrl(key), { payloadHash: EMPTY_SHA256 });
      if (response.statusCode === 204 || response.statusCode === 200) {
        response.resume();
        return;
      }
      const code = await s3ErrorCode(response);
      // S3 answers 204 whether or not the key existed; some compatible stores answer NoSuchKey.
      if (response.statusCode === 404 && (code === undefined || code === 'NoSuchKey')) return;
      throw s3Failure(response, code);
    },
  };
}

/** Where an object lives: `endpoint/bucket/key` path-style, else `bucket.endpoint/key`. */
export function s3ObjectUrl(
  endpoint: URL,
  bucket: string,
  forcePathStyle: boolean,
  key: string,
): URL {
  assertAssetKey(key);
  const url = new URL(endpoint.href);
  const prefix = url.pathname.replace(/\/+$/, '');
  if (forcePathStyle) {
    url.pathname = `${prefix}/${encodeS3Path(bucket)}/${encodeS3Path(key)}`;
  } else {
    url.hostname = `${bucket}.${url.hostname}`;
    url.pathname = `${prefix}/${encodeS3Path(key)}`;
  }
  return url;
}

export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DomainError('invalid', 'S3 endpoint is not a URL', 'endpoint');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('invalid', 'S3 endpoint must be http or https', 'endpoint');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new DomainError(
      'invalid',
      'S3 endpoint must not carry credentials or a query',
      'endpoint',
    );
  }
  return url;
}

/** Passes bytes through, failing as soon as they are known not to total `size`. */
function countBytes(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size) callback(sizeMismatch(size));
      else callback(null, chunk);
    },
    flush(callback) {
      callback(seen === size ? null : sizeMismatch(size));
    },
  });
}

/** Writes `body` to a private temporary file, hashing and counting it on the way. */
async function spoolToDisk(body: Readable) {
  const directory = await mkdtemp(join(tmpdir(), 'quorum-s3-put-'));
  const path = join(directory, 'body');
  const remove = () => rm(directory, { recursive: true, force: true });
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > MAX_SINGLE_PUT_BYTES) return callback(tooLarge());
          hash.update(chunk);
          callback(null, chunk);
        },
      }),
      createWriteStream(path, { mode: 0o600 }),
    );
    // Belt and braces: what S3 will be told must be what is on disk.
    if ((await stat(path)).size !== size) throw storeUnavailable('SpoolSizeMismatch');
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, size, sha256: hash.digest('hex'), remove };
}

/** Reads S3's error Code from a failed response's XML body, if it has one. */
async function s3ErrorCode(response: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length > MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // The status alone still says what happened.
  }
  response.destroy();
  return /<Code>([^<]{1,64})<\/Code>/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
}

/** `unavailable`, naming S3's error Code (or the status) and nothing else. */
function s3Failure(response: IncomingMessage, code: string | undefined): DomainError {
  return storeUnavailable(code ?? `HTTP${response.statusCode ?? ''}`);
}

function storeError(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  return storeUnavailable((error as NodeJS.ErrnoException | undefined)?.code ?? 'NetworkError');
}

function tooLarge(): DomainError {
  return new DomainError(
    'payload_too_large',
    `Asset is larger than the ${MAX_SINGLE_PUT_BYTES} bytes one upload may hold`,
  );
}
