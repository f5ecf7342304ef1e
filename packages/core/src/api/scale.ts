/** Shapes of Scale's v1 objects as Quorum returns them (see docs/scale-v1-compat.md §4). */
export interface ScaleTask {
  task_id: string;
  type: string;
  status: 'pending' | 'completed' | 'canceled' | 'error';
  created_at: string;
  updated_at: string;
  completed_at?: string;
  canceled_at?: string;
  callback_url?: string;
  instruction?: string;
  params: Record<string, unknown>;
  metadata: Record<string, unknown>;
  is_test: boolean;
  priority: number;
  project?: string;
  batch?: string;
  unique_id?: string;
  tags?: string[];
  response?: Record<string, unknown>;
  callback_succeeded?: boolean;
  customer_review_status?: string;
  audits: unknown[];
}

export interface ScaleTaskPage {
  docs: ScaleTask[];
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
  next_token?: string;
}

export interface ScaleBatch {
  id: string;
  name: string;
  project: string;
  status: 'staging' | 'in_progress' | 'completed';
  callback: string;
  created_at: string;
  metadata: Record<string, unknown>;
}

export interface ScaleBatchStatus {
  status: ScaleBatch['status'];
  pending: number;
  completed: number;
  canceled: number;
  error: number;
}

export interface ScaleProject {
  id: string;
  name: string;
  type: string;
  created_at: string;
  param_history: Array<Record<string, unknown> & { version: number; created_at: string }>;
}
