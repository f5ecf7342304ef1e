import { createLocalAssetStore } from './local';
import { createS3AssetStore, type S3AssetStoreConfig } from './s3';
import type { AssetStore } from './store';

export type { AssetStore } from './store';
export type { S3AssetStoreConfig } from './s3';
export { createLocalAssetStore } from './local';
export { createS3AssetStore } from './s3';
export { signRequest } from './sigv4';

export type AssetStoreConfig =
  { kind: 'local'; directory: string } | ({ kind: 's3' } & S3AssetStoreConfig);

/** The store the configuration names: files under a directory, or an S3-compatible bucket. */
export function createAssetStore(config: AssetStoreConfig): AssetStore {
  switch (config.kind) {
    case 'local':
      return createLocalAssetStore(config.directory);
    case 's3':
      return createS3AssetStore(config);
  }
}
