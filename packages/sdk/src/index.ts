export { QuorumClient, QuorumError, type ClientOptions, type TaskListQuery } from './client';
export type {
  ScaleBatch,
  ScaleBatchStatus,
  ScaleProject,
  ScaleTask,
  ScaleTaskPage,
  ApiKey,
} from '@quorum/core';
