import { randomBytes } from 'node:crypto';
import { DomainError } from '@quorum/core';
import type { Executor } from '../db/executor';
import { randomToken } from '../ids';
import { lockOrganization, setCallbackSecrets } from '../repositories/organizations';

export interface CallbackSecrets {
  /** Sent as Scale's `scale-callback-auth` header. */
  callbackAuthKey: string;
  /** Standard Webhooks signing secret (`whsec_` + base64). */
  webhookSecret: string;
}

function generate(): CallbackSecrets {
  return {
    callbackAuthKey: randomToken(40),
    webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
  };
}

/** The organization's callback secrets, created on first use. */
export async function callbackSecrets(
  db: Executor,
  organizationId: string,
): Promise<CallbackSecrets> {
  const organization = await lockOrganization(db, organizationId);
  if (!organization) throw new DomainError('not_found', 'Organization not found');
  if (organization.callback_auth_key && organization.webhook_secret) {
    return {
      callbackAuthKey: organization.callback_auth_key,
      webhookSecret: organization.webhook_secret,
    };
  }
  const secrets = generate();
  await setCallbackSecrets(db, organizationId, secrets);
  return secrets;
}

/** Replaces both secrets; receivers must switch to the new ones. */
export async function rotateCallbackSecrets(
  db: Executor,
  organizationId: string,
): Promise<CallbackSecrets> {
  await lockOrganization(db, organizationId);
  const secrets = generate();
  await setCallbackSecrets(db, organizationId, secrets);
  return secrets;
}
