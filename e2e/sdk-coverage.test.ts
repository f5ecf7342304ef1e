import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SDK_ROUTES } from '@quorum/sdk';
import { startTestPlatform, type TestPlatform } from '../packages/server/test/harness';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * The SDK's route table against the server's own description of its API. The SDK's unit tests
 * check that every method sends the operation the table names; this checks that the table has
 * every operation the server has, and none it has not.
 */
describe('the TypeScript SDK covers the whole API', () => {
  let t: TestPlatform;
  let operations: string[] = [];
  beforeAll(async () => {
    // The API's shape does not depend on the storage, so one backend is enough.
    t = await startTestPlatform('pglite');
    const document = (await (await fetch(`${t.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => HTTP_METHODS.has(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has a client method for every operation in /openapi.json', () => {
    expect(operations.length).toBeGreaterThan(50);
    const covered = new Set<string>(Object.values(SDK_ROUTES));
    // Each missing operation needs a method in packages/sdk and its line in SDK_ROUTES.
    expect(operations.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  it('has no method for an operation the server does not have', () => {
    const served = new Set(operations);
    expect(
      Object.entries(SDK_ROUTES)
        .filter(([, operation]) => !served.has(operation))
        .map(([method, operation]) => `${method}: ${operation}`),
    ).toEqual([]);
  });
});
