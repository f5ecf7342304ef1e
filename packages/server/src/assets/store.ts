import type { Readable } from 'node:stream';

/** Where uploaded and imported files live: local disk by default, S3-compatible when configured. */
export interface AssetStore {
  /** Stores the stream under `key`, replacing nothing: keys are unique. */
  put(key: string, body: Readable, options: { contentType: string; size?: number }): Promise<void>;
  /** The stored bytes, or undefined when no such key exists. */
  get(key: string): Promise<{ body: Readable; size: number } | undefined>;
  delete(key: string): Promise<void>;
}
