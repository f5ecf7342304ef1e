import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/env';
import { createOrganization } from '../src/services/api-keys';
import { ensureOwner } from '../src/services/workers';
import { BACKENDS, startTestPlatform, type TestPlatform } from './harness';

/** A browser-like caller: the session cookie, and the CSRF token once it has one. */
function browser(url: string) {
  let cookie = '';
  let csrf = '';
  const call = async (method: string, path: string, body?: unknown, withCsrf = true) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(withCsrf && csrf ? { 'x-csrf-token': csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0]!;
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (json?.csrfToken) csrf = json.csrfToken;
    return { status: response.status, body: json, headers: response.headers };
  };
  return {
    call,
    signIn: (email: string, password: string) =>
      call('POST', '/api/v1/sessions', { email, password }),
  };
}

describe.each(BACKENDS)('web sessions on %s', (backend) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('makes the first owner with a one-time password that must be changed', async () => {
    const owner = t.platform.bootstrap.owner!;
    expect(owner.email).toBe('owner@quorum.local');
    expect(owner.generatedPassword).toMatch(/^\S{20,}$/);
    const as = browser(t.url);
    const signed = await as.signIn(owner.email, owner.generatedPassword!);
    expect(signed.status).toBe(200);
    expect(signed.body.worker.roles).toEqual(['owner']);
    expect(signed.body.worker.password_change_required).toBe(true);
    expect(signed.body.csrfToken).toEqual(expect.any(String));

    const blocked = await as.call('GET', '/v1/projects');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toMatch(/new password/);
    const noCsrf = await as.call(
      'POST',
      '/api/v1/me/password',
      { current: owner.generatedPassword, password: 'a new long password' },
      false,
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error).toMatch(/x-csrf-token/i);
    const wrong = await as.call('POST', '/api/v1/me/password', {
      current: 'not it at all',
      password: 'a new long password',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe('current');
    const changed = await as.call('POST', '/api/v1/me/password', {
      current: owner.generatedPassword,
      password: 'a new long password',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.worker.password_change_required).toBe(false);

    // The owner runs the console through the cookie: reads as is, writes with the CSRF token.
    expect((await as.call('GET', '/v1/projects')).status).toBe(200);
    const forged = await as.call(
      'POST',
      '/v1/projects',
      { type: 'categorization', name: 'from-console', params: {} },
      false,
    );
    expect(forged.status).toBe(403);
    const created = await as.call('POST', '/v1/projects', {
      type: 'categorization',
      name: 'from-console',
      params: {},
    });
    expect(created.status).toBe(200);
    const current = await as.call('GET', '/api/v1/sessions/current');
    expect(current.body.worker.email).toBe(owner.email);
    expect(current.body.csrfToken).toBe(signed.body.csrfToken);

    const fresh = browser(t.url);
    expect((await fresh.signIn(owner.email, owner.generatedPassword!)).status).toBe(401);
    expect((await fresh.signIn(owner.email, 'a new long password')).status).toBe(200);
    // A later start finds the owner and makes no other.
    const again = await t.testDatabase.database.db
      .transaction()
      .execute((tx) =>
        ensureOwner(
          tx,
          { organizationId: t.platform.bootstrap.organizationId, livemode: true },
          {},
          new Date(),
        ),
      );
    expect(again).toBeUndefined();
  });

  it('takes the owner from the configuration, with no change required', async () => {
    const org = await t.testDatabase.database.db.transaction().execute(async (tx) => {
      const created = await createOrganization(tx, 'configured-owner');
      const owner = await ensureOwner(
        tx,
        { organizationId: created.organization.id, livemode: true },
        { email: 'boss@example.test', password: 'configured password' },
        new Date(),
      );
      return { created, owner };
    });
    expect(org.owner).toEqual({ email: 'boss@example.test' });
    const as = browser(t.url);
    const signed = await as.signIn('boss@example.test', 'configured password');
    expect(signed.body.worker.password_change_required).toBe(false);
    expect((await as.call('GET', '/v1/projects')).status).toBe(200);
    expect(() => loadConfig({ QUORUM_OWNER_EMAIL: 'not-an-email' })).toThrow(/QUORUM_OWNER_EMAIL/);
    expect(() => loadConfig({ QUORUM_OWNER_PASSWORD: 'short' })).toThrow(/QUORUM_OWNER_PASSWORD/);
  });

  it('throttles repeated failed sign-ins for an email, even with the right password after', async () => {
    const as = browser(t.url);
    for (let i = 0; i < 10; i++)
      expect((await as.signIn('boss@example.test', `wrong guess ${i}`)).status).toBe(401);
    const refused = await as.signIn('boss@example.test', 'configured password');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.code).toBe('rate_limited');
  });
});
