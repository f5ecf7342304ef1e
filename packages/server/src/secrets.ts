import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '@quorum/core';

/** Encrypts secrets kept in the database (model API keys): AES-256-GCM, a fresh nonce each. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

const VERSION = 'v1';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    seal(plain) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, nonce, cipher.getAuthTag(), body]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
        .join('.');
    },
    open(sealed) {
      const [version, nonce, tag, body] = sealed.split('.');
      if (version !== VERSION || !nonce || !tag || body === undefined)
        throw new DomainError('unavailable', 'A stored secret is in an unknown format');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new DomainError(
          'unavailable',
          'A stored secret cannot be decrypted: this process has another QUORUM_SECRET_KEY than the one that stored it',
        );
      }
    },
  };
}

/**
 * The key: from QUORUM_SECRET_KEY (any string, hashed to 32 bytes) or, for the embedded setup, a
 * random key made once in the data directory (mode 0600). Processes sharing a PostgreSQL server
 * must share QUORUM_SECRET_KEY.
 */
export function loadSecretKey(configured: string | undefined, keyFile: string): Buffer {
  if (configured) return createHash('sha256').update(configured).digest();
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    // Written whole under a unique name, then linked into place: processes starting together
    // on one data directory all end up reading the one complete key that won.
    const draft = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(draft, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  chmodSync(keyFile, 0o600);
  return createHash('sha256').update(readFileSync(keyFile, 'utf8').trim()).digest();
}
