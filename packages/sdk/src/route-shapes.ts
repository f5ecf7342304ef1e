import type { ScaleBatch, ScaleTask } from '@quorum/core';
import type {
  AggregationMethod,
  Answer,
  ChatMessage,
  ChatTranscript,
  Consensus,
  CreateTaskBody,
  ModelParameters,
} from './types';

/*
 * Shapes the server declares in its routes rather than in core, written out to match them. When
 * core exports a schema for one, its entry here becomes a `z.infer` in types.ts.
 */

export type TaskStatus = ScaleTask['status'];

export type TaskListQuery = {
  project?: string;
  batch?: string;
  status?: TaskStatus;
  type?: string;
  unique_id?: string | string[];
  tags?: string | string[];
  start_time?: string | Date;
  end_time?: string | Date;
  completed_after?: string | Date;
  completed_before?: string | Date;
  updated_after?: string | Date;
  updated_before?: string | Date;
  customer_review_status?: string;
  include_attachment_url?: boolean;
  limited_response?: boolean;
  /** Page size, 1-100. */
  limit?: number;
};

export interface CreateProjectInput {
  type: string;
  name: string;
  params?: Record<string, unknown> | null;
}

export interface CreateBatchInput {
  project: string;
  name: string;
  callback?: string;
  metadata?: Record<string, unknown>;
  /** Hold the batch's tasks until it is finalized. */
  staging?: boolean;
  calibration_batch?: boolean;
  self_label_batch?: boolean;
}

export interface BatchListQuery {
  project?: string;
  status?: ScaleBatch['status'];
  start_time?: string | Date;
  end_time?: string | Date;
  exclude_archived?: boolean;
  /** Page size, 1-100. */
  limit?: number;
}

export interface BatchPage {
  docs: ScaleBatch[];
  total: number;
  totalDocs: number;
  limit: number;
  offset: number;
  has_more: boolean;
}

export interface BatchQueue {
  batch: string;
  priority: number;
  deadline: string | null;
}

export interface TaskAuditInput {
  accepted: boolean;
  comments?: string | null;
}

export interface BulkCreateResult {
  created: number;
  task_ids: string[];
}

export interface AnswerResult {
  answer: Answer;
  /** The task's answers so far. */
  answers: number;
  task: Record<string, unknown>;
  consensus: Consensus | null;
  /** Evaluation and training tasks: the score against the expected response. */
  score: number | null;
}

/** `GET /api/v1/projects/{project}/quality`. */
export interface QualityReport {
  project: string;
  method: AggregationMethod;
  tasks: number;
  answers: number;
  annotators: number;
  agreement: { krippendorff_alpha: number | null; units: number };
  workers: Array<{
    worker: string;
    answers: number;
    agreement_with_consensus: number | null;
    reliability: number | null;
    gold: { answers: number; mean_score: number } | null;
    /** Consensus label → given label → count. */
    confusion: Record<string, Record<string, number>>;
  }>;
  classes: Record<string, Record<string, number>>;
  disputed: Array<{
    task_id: string;
    confidence: number;
    answers: number;
    consensus: Record<string, unknown>;
  }>;
}

export interface ProjectExportQuery {
  format: 'jsonl' | 'scale' | 'coco' | 'yolo' | 'voc' | 'conll' | 'spacy' | 'csv' | 'labelstudio';
  /** Completed tasks only (default), or every task. */
  status?: 'completed' | 'all';
  batch?: string;
  /** `jsonl`: add every annotator's answer. */
  answers?: boolean;
}

/** One task of a `jsonl` project export. */
export interface ExportedTask {
  task_id: string;
  type: string;
  status: TaskStatus;
  unique_id?: string;
  batch?: string;
  params: Record<string, unknown>;
  metadata: Record<string, unknown>;
  response: Record<string, unknown> | null;
  consensus?: { method: string | null; confidence: number | null };
  answers?: Array<{ worker: string; response: unknown; score: number | null; at: string }>;
  completed_at?: string;
}

export interface FileRecord {
  id: string;
  attachment_url: string;
  download_url: string;
  created_at: string;
  updated_at: string;
  mime_type: string;
  size: number;
  sha256: string;
  filename: string;
  project_names: string[];
  display_name?: string;
  reference_id?: string;
  metadata: Record<string, unknown>;
}

export interface FileFields {
  project_name?: string;
  display_name?: string;
  reference_id?: string;
  metadata?: Record<string, unknown>;
}

export interface FileImportInput extends FileFields {
  file_url: string;
}

export interface Heartbeat {
  leaseExpiresAt: string;
  activeSeconds: number;
}

/** The built-in hazard taxonomy and severities. */
export interface Taxonomy {
  categories: Array<{ id: string; name: string; description: string }>;
  severities: string[];
}

/** A prompt of a prompt set, one NDJSON line of `POST /api/v1/prompt-sets`. */
export type PromptLine =
  | {
      prompt: string;
      system?: string;
      category?: string;
      id?: string;
      metadata?: Record<string, unknown>;
    }
  | {
      messages: ChatMessage[];
      category?: string;
      id?: string;
      metadata?: Record<string, unknown>;
    };

export interface PromptSetImport {
  id: string;
  name: string;
  prompts: number;
  skipped: number;
  problems: Array<{ line: number; reason: string }>;
}

export interface PromptSet {
  id: string;
  name: string;
  prompts: number;
  created_at: string;
}

export interface Generation {
  id: string;
  status: 'running' | 'completed';
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** Endpoint ids. */
  models: string[];
  created_at: string;
  updated_at: string;
}

export interface CreateGenerationInput {
  /** Name or id. */
  promptSet: string;
  /** Endpoint names or ids. */
  models: string[];
  parameters?: ModelParameters;
}

export interface GenerationResponse {
  id: string;
  prompt: { id: string; messages: ChatMessage[]; category: string | null };
  model: string;
  endpoint: string;
  parameters: Record<string, unknown>;
  status: string;
  content: string | null;
  error: string | null;
  finishReason: string | null;
  latencyMs: number | null;
  usage: { promptTokens: number | null; completionTokens: number | null };
  attempts: number;
}

export interface GenerationResponsePage {
  docs: GenerationResponse[];
  /** The `after` of the next page, or null after the last. */
  next: string | null;
}

export interface ComparisonsInput {
  project: string;
  /** Model names; default all. */
  models?: string[];
  ties?: boolean;
  strength?: string[];
  criteria?: Array<{ id: string; description?: string; min?: number; max?: number }>;
  rationale?: boolean;
  /**
   * `pairs` (default): a preference per pair of models; `ranking`: every model's response
   * ranked in one task per prompt; `ratings`: each response rated alone on `criteria`.
   */
  mode?: 'pairs' | 'ranking' | 'ratings';
  /** Safety-flag categories offered on every response. */
  flags?: string[];
  /** Let annotators write the ideal answer. */
  rewrite?: boolean;
}

export interface LeaderboardQuery {
  bootstrap?: number;
  seed?: number;
  /** Also fit the style-controlled board. */
  style_control?: boolean;
}

export type PreferenceExportFormat =
  'trl' | 'trl-conversational' | 'kto' | 'reward' | 'sft' | 'hh-rlhf' | 'arena';

export interface PreferenceExportQuery {
  format: PreferenceExportFormat;
  /** Add the rater and rubric scores. */
  raters?: boolean;
}

export interface JudgeStart {
  judge: string;
  model: string;
  tasks: number;
}

interface JudgeAgreement {
  items: number;
  kappa: number | null;
  observed: number | null;
}

export interface JudgeReport {
  judges: Array<{
    judge: string;
    verdicts: number;
    failed: number;
    pending: number;
    errors: string[];
    agreement: JudgeAgreement;
    categories: Record<string, JudgeAgreement>;
    /** Task ids where the judge and the humans differ. */
    disagreements: string[];
    reviews: { reviewed: number; withJudge: number; withHumans: number; neither: number };
  }>;
}

/** One event of a streamed chat turn: a piece of the reply, then the recorded transcript. */
export type ChatTurnEvent =
  { type: 'delta'; content: string } | { type: 'done'; transcript: ChatTranscript };

/** An evaluation or training task as created (Scale's shape for them). */
export interface QualityTask {
  id: string;
  type: string;
  project?: string;
  instruction?: string;
  params: Record<string, unknown>;
  expected_response: Record<string, unknown>;
  initial_response?: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** A create body for an evaluation or training task: a task and the answer it expects. */
export type CreateQualityTaskBody<T extends string> = CreateTaskBody<T> & {
  expected_response: Record<string, unknown>;
  /** Evaluation tasks only: the answer the annotator starts from. */
  initial_response?: Record<string, unknown>;
};
