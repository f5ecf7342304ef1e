import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  callback_auth_key: string | null;
  webhook_secret: string | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  environment: 'live' | 'test';
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface ProjectsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  name: string;
  type: string;
  params: Json<Record<string, unknown>>;
  version: Generated<number>;
  /** Routing and quality settings (see services/answers.ts ProjectSettings). */
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProjectVersionsTable {
  project_id: string;
  version: number;
  params: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export type BatchStatus = 'staging' | 'in_progress' | 'completed';

export interface BatchesTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  project_id: string;
  name: string;
  status: BatchStatus;
  callback_url: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  finalized_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export type TaskKind = 'task' | 'evaluation' | 'training';
export type TaskStatus = 'pending' | 'completed' | 'canceled' | 'error';

export interface TasksTable {
  id: string;
  seq: Generated<number>;
  organization_id: string;
  livemode: boolean;
  kind: TaskKind;
  type: string;
  status: TaskStatus;
  project_id: string | null;
  batch_id: string | null;
  params: Json<Record<string, unknown>>;
  instruction: string | null;
  callback_url: string | null;
  metadata: Json<Record<string, unknown>>;
  unique_id: string | null;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  priority: Generated<number>;
  response: Json<unknown> | null;
  expected_response: Json<unknown> | null;
  initial_response: Json<unknown> | null;
  audits: ColumnType<unknown[], string | undefined, string>;
  customer_review_status: string | null;
  /** How the response was reached from the task's answers, when it was. */
  consensus: Json<Record<string, unknown>> | null;
  callback_succeeded: boolean | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  completed_at: NullableTimestamp;
  canceled_at: NullableTimestamp;
}

export interface FilesTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  storage_key: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  project_name: string | null;
  display_name: string | null;
  reference_id: string | null;
  metadata: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveriesTable {
  id: string;
  seq: Generated<number>;
  organization_id: string;
  livemode: boolean;
  event: string;
  task_id: string | null;
  batch_id: string | null;
  url: string;
  payload: Json<unknown>;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  succeeded_at: NullableTimestamp;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  attempted_at: Generated<Date>;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The whole schema as Kysely sees it; migrations are the source of truth. */
export interface TaskAnswersTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  task_id: string;
  project_id: string | null;
  worker: string;
  response: Json<Record<string, unknown>>;
  score: number | null;
  created_at: Generated<Date>;
}

export type TaskAnswerRow = Selectable<TaskAnswersTable>;

export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  projects: ProjectsTable;
  project_versions: ProjectVersionsTable;
  batches: BatchesTable;
  tasks: TasksTable;
  files: FilesTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  task_answers: TaskAnswersTable;
}

export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type FileRow = Selectable<FilesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
