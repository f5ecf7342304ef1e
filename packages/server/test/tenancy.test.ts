import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../src/services/api-keys';
import { BACKENDS, client, startTestPlatform, type TestPlatform } from './harness';

describe.each(BACKENDS)('tenant isolation on %s', (backend) => {
  let t: TestPlatform;
  let home: ReturnType<typeof client>;
  let other: ReturnType<typeof client>;
  let taskId: string;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    home = client(t.url, t.key);
    const acme = await t.testDatabase.database.db
      .transaction()
      .execute((tx) => createOrganization(tx, 'acme'));
    other = client(t.url, acme.key);
    await home.post('/v1/projects', { type: 'categorization', name: 'private' });
    await home.post('/v1/batches', { project: 'private', name: 'private-batch' });
    const task = await home.post('/v1/task/categorization', {
      batch: 'private-batch',
      attachment: 'secret text',
      categories: ['a', 'b'],
      unique_id: 'shared-id',
    });
    taskId = task.body.task_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 for another organization’s project, batch and task', async () => {
    expect((await other.get('/v1/projects/private')).status).toBe(404);
    expect((await other.get('/v1/batches/private-batch')).status).toBe(404);
    expect((await other.get('/v1/batches/private-batch/status')).status).toBe(404);
    expect((await other.get(`/v1/task/${taskId}`)).status).toBe(404);
    expect((await other.post(`/v1/task/${taskId}/cancel`)).status).toBe(404);
    expect((await other.post(`/v1/task/${taskId}/setMetadata`, { x: 1 })).status).toBe(404);
    expect(
      (await other.post(`/api/v1/tasks/${taskId}/response`, { response: { category: 'a' } }))
        .status,
    ).toBe(404);
  });

  it('lists nothing of the other organization', async () => {
    expect((await other.get('/v1/projects')).body).toEqual([]);
    expect((await other.get('/v1/tasks')).body.total).toBe(0);
    expect((await other.get('/v1/tasks?unique_id=shared-id')).body.docs).toEqual([]);
    expect((await other.get('/v1/batches')).body.total).toBe(0);
    const keys = await other.get('/api/v1/keys');
    expect(keys.body.docs).toHaveLength(1);
  });

  it('keeps names and unique ids per organization', async () => {
    expect(
      (await other.post('/v1/projects', { type: 'categorization', name: 'private' })).status,
    ).toBe(200);
    const task = await other.post('/v1/task/categorization', {
      project: 'private',
      attachment: 'their text',
      categories: ['a', 'b'],
      unique_id: 'shared-id',
    });
    expect(task.status).toBe(200);
    expect((await home.get(`/v1/task/${task.body.task_id}`)).status).toBe(404);
    expect(
      (
        await other.post('/v1/task/categorization', {
          batch: 'private-batch',
          attachment: 'x',
          categories: ['a'],
        })
      ).status,
    ).toBe(404);
  });

  it('cannot revoke another organization’s key', async () => {
    const mine = (await home.get('/api/v1/keys')).body.docs[0].id;
    expect((await other.delete(`/api/v1/keys/${mine}`)).status).toBe(404);
    expect((await home.get('/api/v1/keys')).status).toBe(200);
  });
});
