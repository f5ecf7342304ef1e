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
  /** The Label Studio labeling config (XML) the project was created from, if it was. */
  label_studio_config: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Higher is served first by the work queue. */
  priority: Generated<number>;
  deadline: NullableTimestamp;
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
  /** Answers of a work task (kind 'task'); every answer insert counts itself here. */
  answer_count: Generated<number>;
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

export type WorkerRole = 'owner' | 'admin' | 'manager' | 'reviewer' | 'annotator';
export type WorkerPool = 'internal' | 'vendor' | 'crowd';

export interface WorkersTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  email: string;
  name: string;
  roles: ColumnType<WorkerRole[], WorkerRole[], WorkerRole[]>;
  pool: WorkerPool;
  team: string | null;
  skills: Json<Record<string, number>>;
  languages: ColumnType<string[], string[] | undefined, string[]>;
  clearance: Generated<number>;
  password_hash: string | null;
  /** Set for a handed-out password (the first owner's): the worker must choose a new one. */
  password_change_required: Generated<boolean>;
  status: 'active' | 'removed';
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WorkerCredentialsTable {
  id: string;
  worker_id: string;
  kind: 'token' | 'session';
  secret_hash: string;
  created_at: Generated<Date>;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export type MemberStatus =
  'training' | 'qualifying' | 'active' | 'paused' | 'unqualified' | 'removed';

export interface ProjectMembersTable {
  organization_id: string;
  livemode: boolean;
  project_id: string;
  worker_id: string;
  status: MemberStatus;
  reason: string | null;
  qualify_answers: Generated<number>;
  qualify_score: Generated<number>;
  gold_answers: Generated<number>;
  gold_score: Generated<number>;
  trained: Generated<number>;
  pay_rate: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type WorkStage = 'attempt' | 'review' | 'audit';

export interface WorkItemsTable {
  task_id: string;
  stage: WorkStage;
  organization_id: string;
  livemode: boolean;
  project_id: string;
  batch_id: string | null;
  open_slots: number;
  priority: number;
  deadline: NullableTimestamp;
  seq: ColumnType<number, number | bigint | string, number>;
}

export type AssignmentStage = WorkStage | 'training' | 'evaluation' | 'gold';
export type AssignmentStatus = 'active' | 'submitted' | 'released' | 'expired' | 'late';

export interface AssignmentsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  task_id: string;
  project_id: string;
  batch_id: string | null;
  worker_id: string;
  stage: AssignmentStage;
  status: AssignmentStatus;
  claimed_at: Timestamp;
  lease_expires_at: Timestamp;
  last_seen_at: Timestamp;
  submitted_at: NullableTimestamp;
  active_seconds: Generated<number>;
  response: Json<Record<string, unknown>> | null;
  idempotency_key: string | null;
  /** A hash of the response submitted under `idempotency_key`. */
  idempotency_fingerprint: string | null;
  /** When the outcome and pay were written. */
  settled_at: NullableTimestamp;
  release_reason: string | null;
  /** When it was given back (status `released`). */
  released_at: NullableTimestamp;
  score: number | null;
  outcome: 'accepted' | 'rejected' | 'corrected' | null;
  pay_base: Generated<number>;
  pay_bonus: Generated<number>;
  currency: string | null;
}

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
  workers: WorkersTable;
  worker_credentials: WorkerCredentialsTable;
  project_members: ProjectMembersTable;
  work_items: WorkItemsTable;
  assignments: AssignmentsTable;
  model_endpoints: ModelEndpointsTable;
  prompt_sets: PromptSetsTable;
  prompts: PromptsTable;
  generations: GenerationsTable;
  generation_responses: GenerationResponsesTable;
  judge_verdicts: JudgeVerdictsTable;
  chat_turns: ChatTurnsTable;
  redteam_campaigns: RedteamCampaignsTable;
}

export interface JudgeVerdictsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  generation_id: string;
  task_id: string;
  endpoint_id: string;
  model: string;
  status: ResponseStatus;
  /** 'A', 'B' or 'tie', as the task shows the responses. */
  verdict: string | null;
  reply: string | null;
  error: string | null;
  latency_ms: number | null;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export interface PromptSetsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  name: string;
  prompt_count: Generated<number>;
  created_at: Generated<Date>;
}

export interface PromptsTable {
  id: string;
  prompt_set_id: string;
  seq: number;
  messages: Json<Array<{ role: 'system' | 'user' | 'assistant'; content: string }>>;
  category: string | null;
  external_id: string | null;
  metadata: Json<Record<string, unknown>>;
}

export type GenerationStatus = 'running' | 'completed';

export interface GenerationsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  prompt_set_id: string;
  endpoint_ids: ColumnType<string[], string[], string[]>;
  parameters: Json<Record<string, unknown>>;
  status: GenerationStatus;
  total: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ResponseStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface GenerationResponsesTable {
  id: string;
  generation_id: string;
  prompt_id: string;
  endpoint_id: string;
  model: string;
  parameters: Json<Record<string, unknown>>;
  status: ResponseStatus;
  content: string | null;
  error: string | null;
  finish_reason: string | null;
  latency_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  attempts: Generated<number>;
  claimed_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export interface ModelEndpointsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  name: string;
  base_url: string;
  model: string;
  parameters: Json<Record<string, unknown>>;
  api_key_encrypted: string | null;
  api_key_hint: string | null;
  concurrency: number;
  timeout_ms: number;
  max_retries: number;
  created_at: Generated<Date>;
  deleted_at: NullableTimestamp;
}

export type ModelEndpointRow = Selectable<ModelEndpointsTable>;

export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type BatchRow = Selectable<BatchesTable>;
export type FileRow = Selectable<FilesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type WorkerRow = Selectable<WorkersTable>;
export type ProjectMemberRow = Selectable<ProjectMembersTable>;
export type AssignmentRow = Selectable<AssignmentsTable>;
export type WorkItemRow = Selectable<WorkItemsTable>;

export interface ChatTurnsTable {
  assignment_id: string;
  seq: number;
  organization_id: string;
  livemode: boolean;
  task_id: string;
  role: 'user' | 'assistant';
  content: string;
  endpoint_id: string | null;
  latency_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  finish_reason: string | null;
  created_at: Timestamp;
}

export interface RedteamCampaignsTable {
  id: string;
  organization_id: string;
  livemode: boolean;
  name: string;
  project_id: string;
  endpoint_ids: Json;
  taxonomy: Json;
  categories: Json;
  severities: Json;
  attempts_per_category: number;
  max_turns: number;
  created_at: Timestamp;
}
