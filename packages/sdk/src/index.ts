export { QuorumClient, type TasksGroup } from './client';
export { QuorumError } from './errors';
export type { ClientOptions, QueryValue } from './transport';
export { SDK_ROUTES, REPEATABLE_ROUTES, type HttpMethod, type RouteName } from './routes';
export type { Download, NdjsonInput, ServerSentEvent } from './streams';
export type { Page } from './paging';
export type { Batches } from './groups/batches';
export type { CallbackKeysApi, Deliveries, Keys } from './groups/callbacks';
export type { Files } from './groups/files';
export type { Generations, PromptSets } from './groups/generations';
export type { Models } from './groups/models';
export type { Projects } from './groups/projects';
export type { Redteam } from './groups/redteam';
export type { Tasks } from './groups/tasks';
export type { Work } from './groups/work';
export type { Me, Sessions, Workers } from './groups/workforce';
export type * from './types';
export type {
  ScaleBatch,
  ScaleBatchStatus,
  ScaleProject,
  ScaleTask,
  ScaleTaskPage,
} from '@quorum/core';
