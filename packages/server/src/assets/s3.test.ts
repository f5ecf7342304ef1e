import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeS3, verifySigV4, type FakeS3 } from './fake-s3';
import { createAssetStore } from './index';
import { createS3AssetStore, parseEndpoint, s3ObjectUrl, type S3AssetStoreConfig } from './s3';
import { encodeS3Path, sha256Hex, signRequest } from './sigv4';

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 's3',
};
const EXAMPLE_DATE = new Date('2013-05-24T00:00:00Z');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signRequest', () => {
  it('reproduces AWS’s documented GET Object example', () => {
    const signed = signRequest(
      {
        method: 'GET',
        path: '/test.txt',
        headers: { Host: 'examplebucket.s3.amazonaws.com', Range: 'bytes=0-9' },
        payloadHash: EMPTY_SHA256,
      },
      EXAMPLE,
      EXAMPLE_DATE,
    );
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        `x-amz-content-sha256:${EMPTY_SHA256}`,
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe(
      'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n' +
        '7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
    );
    expect(signed.signature).toBe(
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('reproduces AWS’s documented PUT Object example, with its encoded `$`', () => {
    const body = 'Welcome to Amazon S3.';
    const signed = signRequest(
      {
        method: 'PUT',
        path: encodeS3Path('/test$file.text'),
        headers: {
          Host: 'examplebucket.s3.amazonaws.com',
          Date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        },
        payloadHash: sha256Hex(body),
      },
      EXAMPLE,
      EXAMPLE_DATE,
    );
    expect(signed.canonicalRequest.split('\n')[1]).toBe('/test%24file.text');
    expect(signed.signature).toBe(
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it('encodes paths by SigV4’s rules: UTF-8 bytes, %20 for space, slashes kept', () => {
    expect(encodeS3Path("org/a b+c/ü文 (1)!*'~-_.txt")).toBe(
      'org/a%20b%2Bc/%C3%BC%E6%96%87%20%281%29%21%2A%27~-_.txt',
    );
  });
});

describe('the fake S3’s signature verifier', () => {
  const exampleRequest = (signature: string) => ({
    method: 'GET',
    rawPath: '/test.txt',
    rawQuery: '',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA256,
      'x-amz-date': '20130524T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        `SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
    },
  });

  it('accepts AWS’s documented example and rejects it with one digit changed', () => {
    const good = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    const bad = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42';
    expect(verifySigV4(exampleRequest(good), EXAMPLE)).toEqual({ ok: true });
    expect(verifySigV4(exampleRequest(bad), EXAMPLE)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });
});

describe('S3 object URLs', () => {
  const endpoint = parseEndpoint('https://s3.eu-west-1.amazonaws.com');

  it('puts the bucket in the path when path style is forced', () => {
    expect(s3ObjectUrl(endpoint, 'examplebucket', true, 'org/o1/a b').href).toBe(
      'https://s3.eu-west-1.amazonaws.com/examplebucket/org/o1/a%20b',
    );
  });

  it('puts the bucket in the host name otherwise', () => {
    expect(s3ObjectUrl(endpoint, 'examplebucket', false, 'org/o1/a b').href).toBe(
      'https://examplebucket.s3.eu-west-1.amazonaws.com/org/o1/a%20b',
    );
  });

  it('refuses endpoints that are not plain http(s) URLs', () => {
    for (const bad of ['s3.amazonaws.com', 'ftp://s3.example', 'https://user:pass@s3.example']) {
      expect(() => parseEndpoint(bad)).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });
});

describe('S3 asset store against a fake S3', () => {
  const bucket = 'quorum-assets';
  const credentials = {
    region: 'eu-central-1',
    accessKeyId: 'AKIDQUORUMTEST',
    secretAccessKey: 'quorum/test+secret-KEY',
  };
  let s3: FakeS3;
  let config: S3AssetStoreConfig;

  beforeAll(async () => {
    s3 = await startFakeS3({ bucket, ...credentials });
    config = { endpoint: s3.endpoint, bucket, forcePathStyle: true, ...credentials };
  });
  afterAll(async () => {
    await s3?.close();
  });
  beforeEach(() => {
    s3.objects.clear();
    s3.requests.length = 0;
  });

  it('gives back exactly the binary bytes it was given, streamed with a declared size', async () => {
    const store = createS3AssetStore(config);
    const data = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      randomBytes(300_000),
    ]);
    await store.put('org/o1/f1', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      contentType: 'image/png',
      size: data.length,
    });

    expect(s3.objects.get('org/o1/f1')?.contentType).toBe('image/png');
    const found = await store.get('org/o1/f1');
    expect(found?.size).toBe(data.length);
    expect((await readAll(found!.body)).equals(data)).toBe(true);
  });

  it('stores a body of unknown size with a signed payload hash', async () => {
    // The fake checks x-amz-content-sha256 against the bytes it received.
    const store = createAssetStore({ kind: 's3', ...config });
    const data = randomBytes(100_000);
    await store.put('org/o1/unsized', Readable.from([data]), { contentType: 'application/pdf' });
    expect(s3.objects.get('org/o1/unsized')?.body.equals(data)).toBe(true);
  });

  it('answers undefined for a key that was never stored', async () => {
    const store = createS3AssetStore(config);
    expect(await store.get('org/o1/nothing')).toBeUndefined();
  });

  it('stores and finds keys with spaces, plus signs and Unicode under their exact names', async () => {
    const store = createS3AssetStore(config);
    const key = "org/o1/a b+c ü 文件 (1)!*'~.txt";
    await store.put(key, Readable.from([Buffer.from('hello')]), {
      contentType: 'text/plain',
      size: 5,
    });

    expect([...s3.objects.keys()]).toEqual([key]);
    expect(s3.requests[0]?.rawPath).toBe(
      `/${bucket}/org/o1/a%20b%2Bc%20%C3%BC%20%E6%96%87%E4%BB%B6%20%281%29%21%2A%27~.txt`,
    );
    expect((await readAll((await store.get(key))!.body)).toString()).toBe('hello');
  });

  it('deletes a stored key, and deleting a missing key is not an error', async () => {
    const store = createS3AssetStore(config);
    await store.put('org/o1/f1', Readable.from([Buffer.from('x')]), {
      contentType: 'text/plain',
      size: 1,
    });
    await store.delete('org/o1/f1');
    expect(s3.objects.size).toBe(0);
    expect(await store.get('org/o1/f1')).toBeUndefined();
    await expect(store.delete('org/o1/f1')).resolves.toBeUndefined();
  });

  it('reports a wrong secret as unavailable with S3’s code, never the secret', async () => {
    const wrongSecret = 'not-the-right-secret';
    const store = createS3AssetStore({ ...config, secretAccessKey: wrongSecret });
    s3.objects.set('org/o1/f1', { body: Buffer.from('x'), contentType: 'text/plain' });

    for (const attempt of [
      () => store.get('org/o1/f1'),
      () =>
        store.put('org/o1/f2', Readable.from([Buffer.from('x')]), {
          contentType: 'text/plain',
          size: 1,
        }),
      () =>
        store.put('org/o1/f3', Readable.from([Buffer.from('x')]), { contentType: 'text/plain' }),
      () => store.delete('org/o1/f1'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({
        name: 'DomainError',
        code: 'unavailable',
        message: 'Asset store error: SignatureDoesNotMatch',
      });
      expect(JSON.stringify(error)).not.toContain(wrongSecret);
    }
    expect([...s3.objects.keys()]).toEqual(['org/o1/f1']);
  });

  it('reports a missing bucket as unavailable rather than as a missing asset', async () => {
    const store = createS3AssetStore({ ...config, bucket: 'no-such-bucket' });
    await expect(store.get('org/o1/f1')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Asset store error: NoSuchBucket',
    });
  });

  it.each([
    ['fewer', 10],
    ['more', 5],
  ])('refuses a body with %s bytes than declared and stores nothing', async (_, size) => {
    const store = createS3AssetStore(config);
    const put = store.put('org/o1/f1', Readable.from([Buffer.alloc(8)]), {
      contentType: 'text/plain',
      size,
    });
    await expect(put).rejects.toMatchObject({ code: 'invalid', field: 'size' });
    expect(s3.objects.size).toBe(0);
  });

  it.each([
    ['a declared', 100],
    ['an unknown', undefined],
  ])('passes on a failing body of %s size and stores nothing', async (_, size) => {
    const store = createS3AssetStore(config);
    const body = new PassThrough();
    const put = store.put('org/o1/f1', body, { contentType: 'text/plain', size });
    body.write(Buffer.alloc(10));
    body.destroy(new Error('client went away'));
    await expect(put).rejects.toThrow('client went away');
    expect(s3.objects.size).toBe(0);
  });

  it('refuses traversal keys before sending anything', async () => {
    const store = createS3AssetStore(config);
    for (const key of ['../x', 'org//x', '/org/x', 'org\\x']) {
      await expect(store.get(key)).rejects.toMatchObject({ code: 'invalid' });
    }
    expect(s3.requests).toEqual([]);
  });

  it('reports an endpoint that does not answer as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const store = createS3AssetStore({ ...config, endpoint: `http://127.0.0.1:${port}` });
    await expect(store.get('org/o1/f1')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'Asset store error: ECONNREFUSED',
    });
  });
});
