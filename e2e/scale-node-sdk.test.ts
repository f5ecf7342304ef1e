import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKENDS,
  client,
  startTestPlatform,
  type TestPlatform,
} from '../packages/server/test/harness';
import {
  createSelfSignedCertificate,
  opensslUnavailableReason,
  startConnectProxy,
  summarize,
  type ConnectProxy,
  type SelfSignedCertificate,
} from './support/connect-proxy';
import {
  sdk,
  wire,
  type ScaleApi,
  type ScaleClient,
  type SdkError,
  type SdkTask,
  type SdkTaskPage,
} from './support/scale-node-sdk';

/*
 * Scale's official Node SDK (scaleapi@2.3.2) hard-codes https://api.scaleapi.com/v1/ and sends
 * through the `request` library, which honours HTTPS_PROXY. An operator points it at a
 * self-hosted Quorum by network configuration alone; here a local CONNECT proxy terminates TLS
 * for api.scaleapi.com and hands the bytes to Quorum, and the SDK runs unchanged.
 *
 * `request` has no environment variable for a CA, and Node reads NODE_EXTRA_CA_CERTS only at
 * start-up, so this process turns certificate checks off (only while these suites run). One test
 * runs the SDK in a child process that trusts the proxy's certificate through NODE_EXTRA_CA_CERTS,
 * with checks on, as an operator would deploy it.
 */

const SCALE_HOST = 'api.scaleapi.com';
const require = createRequire(import.meta.url);
const SDK_PATH = require.resolve('scaleapi');
// The `request` the SDK itself uses, for the proxy's refusal test.
const request = createRequire(SDK_PATH)('request') as (
  options: { url: string },
  callback: (error: Error | null, response?: { statusCode: number }) => void,
) => void;

const categorization = (extra: Record<string, unknown> = {}) => ({
  callback_url: 'http://www.example.com/callback',
  instruction: 'Is the review positive or negative?',
  attachment_type: 'text',
  attachment: 'The parcel came two days late.',
  categories: ['positive', 'negative'],
  ...extra,
});

const PROXY_ENV = ['HTTPS_PROXY', 'NO_PROXY', 'no_proxy', 'NODE_TLS_REJECT_UNAUTHORIZED'] as const;

const opensslMissing = opensslUnavailableReason();
if (opensslMissing) console.warn(`Skipping the Scale Node SDK tests: ${opensslMissing}.`);

describe.skipIf(opensslMissing !== undefined).each(BACKENDS)(
  'Scale’s Node SDK, unchanged, on %s',
  (backend) => {
    let t: TestPlatform;
    let api: ReturnType<typeof client>;
    let certificate: SelfSignedCertificate;
    let proxy: ConnectProxy;
    let scaleapi: ScaleApi;
    let scale: ScaleClient;
    const savedEnv = new Map<string, string | undefined>();

    /** The request and status lines of the last tunnel the SDK opened. */
    const lastExchange = () => summarize(proxy.exchanges.at(-1)!);

    beforeAll(async () => {
      t = await startTestPlatform(backend);
      api = client(t.url, t.key);
      certificate = createSelfSignedCertificate(SCALE_HOST);
      proxy = await startConnectProxy({ host: SCALE_HOST, certificate, upstream: t.url });
      for (const name of PROXY_ENV) savedEnv.set(name, process.env[name]);
      process.env.HTTPS_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

      scaleapi = require('scaleapi') as ScaleApi;
      scale = scaleapi.ScaleClient(t.key);
    });
    afterAll(async () => {
      for (const [name, value] of savedEnv) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await proxy?.close();
      certificate?.remove();
      await t?.close();
    });

    it('creates a categorization task over TLS for api.scaleapi.com and fetches the same task back', async () => {
      const created = await sdk<SdkTask>((cb) =>
        scale.createTask(
          'categorization',
          categorization({ metadata: { review: 41, source: 'sdk' } }),
          cb,
        ),
      );
      const sent = proxy.exchanges.at(-1)!;
      expect(sent).toMatchObject({ target: `${SCALE_HOST}:443`, servername: SCALE_HOST });
      expect(summarize(sent)).toEqual({
        request: 'POST /v1/task/categorization HTTP/1.1',
        response: 'HTTP/1.1 200 OK',
      });
      expect(sent.request).toMatch(/^host: api\.scaleapi\.com\r$/im);
      expect(sent.request).toContain(
        `authorization: Basic ${Buffer.from(`${t.key}:`).toString('base64')}\r\n`,
      );

      expect(created.id).toMatch(/^[0-9a-f]{24}$/);
      expect(created.task_id).toBe(created.id);
      expect(created).toMatchObject({
        type: 'categorization',
        status: 'pending',
        callback_url: 'http://www.example.com/callback',
        instruction: 'Is the review positive or negative?',
        metadata: { review: 41, source: 'sdk' },
      });
      expect(created.params).toMatchObject({
        attachment_type: 'text',
        attachment: 'The parcel came two days late.',
        categories: ['positive', 'negative'],
      });

      const fetched = await sdk<SdkTask>((cb) => scale.fetchTask(created.id, cb));
      expect(lastExchange().request).toBe(`GET /v1/task/${created.id} HTTP/1.1`);
      expect(wire(fetched)).toEqual(wire(created));
      expect(wire(fetched)).toEqual((await api.get(`/v1/task/${created.id}`)).body);
    });

    it('creates tasks through the per-type helpers and passes any other type through createTask', async () => {
      const helper = await sdk<SdkTask>((cb) =>
        scale.createCategorizationTask(categorization({ metadata: { via: 'helper' } }), cb),
      );
      expect(lastExchange().request).toBe('POST /v1/task/categorization HTTP/1.1');
      expect(helper).toMatchObject({
        type: 'categorization',
        status: 'pending',
        metadata: { via: 'helper' },
      });
      const comparison = {
        instruction: 'Do the objects in these images have the same pattern?',
        attachment_type: 'image',
        attachments: ['https://example.com/shirt.jpg', 'https://example.com/tablecloth.jpg'],
        choices: ['yes', 'no'],
      };
      const compared = await sdk<SdkTask>((cb) => scale.createComparisonTask(comparison, cb));
      expect(lastExchange().request).toBe('POST /v1/task/comparison HTTP/1.1');
      expect(compared).toMatchObject({
        type: 'comparison',
        status: 'pending',
        instruction: comparison.instruction,
      });
      expect(compared.params).toMatchObject({
        attachments: comparison.attachments,
        choices: ['yes', 'no'],
      });

      expect(
        (await api.post('/v1/projects', { type: 'imageannotation', name: 'cows' })).status,
      ).toBe(200);
      const geometries = {
        box: { objects_to_annotate: ['Baby Cow', 'Big Cow'], min_height: 10, min_width: 10 },
      };
      const image = await sdk<SdkTask>((cb) =>
        scale.createTask(
          'imageannotation',
          {
            project: 'cows',
            callback_url: 'http://www.example.com/callback',
            instruction: 'Draw a box around each cow.',
            attachment_type: 'image',
            attachment: 'https://example.com/cows.jpg',
            geometries,
            metadata: { shot: 7 },
          },
          cb,
        ),
      );
      expect(lastExchange().request).toBe('POST /v1/task/imageannotation HTTP/1.1');
      expect(image).toMatchObject({
        type: 'imageannotation',
        status: 'pending',
        project: 'cows',
        metadata: { shot: 7 },
      });
      expect((image.params as { geometries: unknown }).geometries).toMatchObject(geometries);
      expect(wire(await sdk<SdkTask>((cb) => scale.fetchTask(image.id, cb)))).toEqual(wire(image));
    });

    it('cancels with cancelTask and Task#cancel, idempotently, and Task#refresh sees the change', async () => {
      const first = await sdk<SdkTask>((cb) =>
        scale.createTask('categorization', categorization(), cb),
      );
      const canceled = await sdk<SdkTask>((cb) => scale.cancelTask(first.id, cb));
      expect(lastExchange()).toEqual({
        request: `POST /v1/task/${first.id}/cancel HTTP/1.1`,
        response: 'HTTP/1.1 200 OK',
      });
      expect(canceled).toMatchObject({
        id: first.id,
        status: 'canceled',
        metadata: {},
        callback_url: first.callback_url,
      });
      expect(typeof canceled.canceled_at).toBe('string');
      expect((await sdk<SdkTask>((cb) => scale.cancelTask(first.id, cb))).status).toBe('canceled');

      const second = await sdk<SdkTask>((cb) =>
        scale.createTask('categorization', categorization(), cb),
      );
      const stale = await sdk<SdkTask>((cb) => scale.fetchTask(second.id, cb));
      expect((await sdk<SdkTask>((cb) => second.cancel(cb))).status).toBe('canceled');
      expect(stale.status).toBe('pending');
      const refreshed = await sdk<SdkTask>((cb) => stale.refresh(cb));
      expect(refreshed).toBe(stale);
      expect(refreshed.status).toBe('canceled');
    });

    it('refuses to cancel a completed task with the SDK’s error carrying the server’s 400', async () => {
      // Test-mode keys complete tasks at once, which the SDK's own suite relies on for this case.
      const key = (await api.post('/api/v1/keys', { name: 'sdk-sandbox', environment: 'test' }))
        .body.key as string;
      const sandbox = scaleapi.ScaleClient(key);
      const done = await sdk<SdkTask>((cb) =>
        sandbox.createTask('categorization', categorization(), cb),
      );
      expect(done).toMatchObject({ status: 'completed', is_test: true });
      const refusal = sdk<SdkTask>((cb) => sandbox.cancelTask(done.id, cb));
      await expect(refusal).rejects.toBeInstanceOf(scaleapi.ScaleException);
      await expect(refusal).rejects.toMatchObject({ errcode: 400 });
      const direct = await client(t.url, key).post(`/v1/task/${done.id}/cancel`);
      expect(direct.status).toBe(400);
      await expect(refusal).rejects.toMatchObject({ message: direct.body.error });
    });

    it('lists tasks newest first with limit and the offset paging the SDK documents', async () => {
      const since = new Date().toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          (
            await sdk<SdkTask>((cb) =>
              scale.createTask('categorization', categorization({ metadata: { i } }), cb),
            )
          ).id,
        );
      }
      const first = await sdk<SdkTaskPage>((cb) =>
        scale.tasks({ start_time: since, type: 'categorization', limit: 2, offset: 0 }, cb),
      );
      expect(lastExchange()).toEqual({
        request: `GET /v1/tasks?start_time=${encodeURIComponent(since)}&type=categorization&limit=2&offset=0 HTTP/1.1`,
        response: 'HTTP/1.1 200 OK',
      });
      expect(first).toMatchObject({ total: 3, limit: 2, offset: 0, has_more: true });
      expect(first.docs.map((task) => task.id)).toEqual([ids[2], ids[1]]);
      expect(first.docs[0]).toMatchObject({
        task_id: ids[2],
        metadata: { i: 2 },
        status: 'pending',
      });
      expect(typeof first.docs[0]!.cancel).toBe('function');

      const rest = await sdk<SdkTaskPage>((cb) =>
        scale.tasks({ start_time: since, type: 'categorization', limit: 2, offset: 2 }, cb),
      );
      expect(rest).toMatchObject({ total: 3, limit: 2, offset: 2, has_more: false });
      expect(rest.docs.map((task) => task.id)).toEqual([ids[0]]);

      await sdk<SdkTask>((cb) => scale.cancelTask(ids[1]!, cb));
      const canceled = await sdk<SdkTaskPage>((cb) =>
        scale.tasks({ start_time: since, status: 'canceled' }, cb),
      );
      expect(canceled.docs.map((task) => task.id)).toEqual([ids[1]]);
      const later = new Date(Date.now() + 60_000).toISOString();
      const empty = await sdk<SdkTaskPage>((cb) =>
        scale.tasks({ start_time: later, end_time: later }, cb),
      );
      expect(empty).toMatchObject({ docs: [], total: 0, has_more: false });
    });

    it('surfaces a refused create as the SDK’s error with the server’s message and stores nothing', async () => {
      const since = new Date().toISOString();
      const incomplete = {
        callback_url: 'http://www.example.com/callback',
        categories: ['public', 'private'],
      };
      const refusal = sdk<SdkTask>((cb) => scale.createTask('categorization', incomplete, cb));
      await expect(refusal).rejects.toBeInstanceOf(scaleapi.ScaleException);
      expect(lastExchange().response).toBe('HTTP/1.1 400 Bad Request');
      const direct = await api.post('/v1/task/categorization', incomplete);
      expect(direct.status).toBe(400);
      expect(direct.body.error).toMatch(/attachment/);
      await expect(refusal).rejects.toMatchObject({ errcode: 400, message: direct.body.error });
      expect((await sdk<SdkTaskPage>((cb) => scale.tasks({ start_time: since }, cb))).total).toBe(
        0,
      );
    });

    it('answers an unknown task id with the SDK’s 404 error', async () => {
      for (const id of ['000000000000000000000000', 'fake_id_qwertyuiop']) {
        const fetch = sdk<SdkTask>((cb) => scale.fetchTask(id, cb));
        await expect(fetch).rejects.toBeInstanceOf(scaleapi.ScaleException);
        await expect(fetch).rejects.toMatchObject({
          errcode: 404,
          message: 'Task with that ID not found.',
        });
      }
      const cancel = sdk<SdkTask>((cb) => scale.cancelTask('000000000000000000000000', cb));
      await expect(cancel).rejects.toMatchObject({
        errcode: 404,
        message: 'Task with that ID not found.',
      });
    });

    it('answers a wrong key with the SDK’s 401 error', async () => {
      const stranger = scaleapi.ScaleClient('live_notakeythisserverissued000000');
      const fetch = sdk<SdkTaskPage>((cb) => stranger.tasks({ limit: 1 }, cb));
      await expect(fetch).rejects.toBeInstanceOf(scaleapi.ScaleException);
      await expect(fetch).rejects.toMatchObject({ errcode: 401 });
      expect(lastExchange().response).toBe('HTTP/1.1 401 Unauthorized');
    });

    it('refuses an unknown list parameter in the SDK and, since the SDK sends it anyway, on the server', async () => {
      // The SDK reports the bad key, then still sends the request and calls back a second time.
      const calls = await new Promise<Array<SdkError | null>>((resolve) => {
        const errors: Array<SdkError | null> = [];
        scale.tasks({ bogus: 0 }, (error) => {
          errors.push(error);
          if (errors.length === 2) resolve(errors);
        });
      });
      expect(calls[0]).toBeInstanceOf(scaleapi.ScaleInvalidRequest);
      expect(calls[0]!.message).toBe('Illegal parameter bogus for ScaleClient.tasks');
      expect(lastExchange()).toEqual({
        request: 'GET /v1/tasks?bogus=0 HTTP/1.1',
        response: 'HTTP/1.1 400 Bad Request',
      });
      expect(calls[1]).toMatchObject({ errcode: 400, message: expect.stringContaining('bogus') });
    });

    it('works with certificate checks on when the process trusts the proxy’s certificate', async () => {
      const task = await sdk<SdkTask>((cb) =>
        scale.createTask('categorization', categorization({ metadata: { checked: true } }), cb),
      );
      // How an operator would run it: HTTPS_PROXY plus NODE_EXTRA_CA_CERTS, nothing turned off.
      const fetchTask = `
      const scaleapi = require(${JSON.stringify(SDK_PATH)});
      scaleapi.ScaleClient(process.argv[1]).fetchTask(process.argv[2], (err, task) => {
        if (err) throw err;
        console.log(JSON.stringify({ id: task.id, status: task.status, metadata: task.metadata }));
      });`;
      const trusted = await runNode(fetchTask, [t.key, task.id], {
        NODE_EXTRA_CA_CERTS: certificate.certPath,
      });
      expect(JSON.parse(trusted)).toEqual({
        id: task.id,
        status: 'pending',
        metadata: { checked: true },
      });

      // Without that trust the same tunnel is refused, so the check above really ran.
      const get = `
      require(${JSON.stringify(createRequire(SDK_PATH).resolve('request'))})
        .get('https://${SCALE_HOST}/v1/task/' + process.argv[1], (err) => console.log(err ? err.code : 'connected'));`;
      expect((await runNode(get, [task.id], {})).trim()).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    });

    /** Runs a CommonJS script in a fresh Node through the proxy, with certificate checks on. */
    async function runNode(script: string, args: string[], env: Record<string, string>) {
      const { NODE_TLS_REJECT_UNAUTHORIZED: _checksOff, ...inherited } = process.env;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, ...args], {
        env: { ...inherited, HTTPS_PROXY: proxy.url, ...env },
      });
      return stdout;
    }

    it('keeps everything local: the proxy refuses any other host', async () => {
      const refused = await new Promise<Error | null>((resolve) =>
        request({ url: 'https://example.com/' }, (error) => resolve(error)),
      );
      expect(refused?.message).toBe('tunneling socket could not be established, statusCode=403');
      expect(proxy.refused).toContain('example.com:443');
      expect(proxy.exchanges.length).toBeGreaterThan(0);
      expect(proxy.exchanges.every((exchange) => exchange.servername === SCALE_HOST)).toBe(true);
    });
  },
);
