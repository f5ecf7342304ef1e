import type { BatchRow, ProjectRow } from '../db/schema';
import type { TaskView } from '../repositories/tasks';

type Json = Record<string, unknown>;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : undefined);

/** A task as Scale's API shows it: unset `unique_id`, `tags` and `completed_at` are absent. */
export function presentTask(task: TaskView): Json {
  const params = task.params as Json;
  const out: Json = {
    task_id: task.id,
    type: task.type,
    status: task.status,
    created_at: iso(task.created_at),
    updated_at: iso(task.updated_at),
  };
  if (task.completed_at) out.completed_at = iso(task.completed_at);
  if (task.canceled_at) out.canceled_at = iso(task.canceled_at);
  if (task.callback_url) out.callback_url = task.callback_url;
  if (task.instruction !== null) out.instruction = task.instruction;
  out.params = params;
  out.metadata = task.metadata;
  out.is_test = !task.livemode;
  out.priority = task.priority;
  if (task.project_name) out.project = task.project_name;
  if (task.batch_name) out.batch = task.batch_name;
  if (task.unique_id !== null) out.unique_id = task.unique_id;
  if (task.tags.length > 0) out.tags = task.tags;
  if (task.response !== null) out.response = task.response;
  if (task.callback_succeeded !== null) out.callback_succeeded = task.callback_succeeded;
  if (task.customer_review_status) out.customer_review_status = task.customer_review_status;
  out.audits = task.audits;
  out.processed_attachments = [];
  return out;
}

/** The few fields Scale returns with `limited_response=true`. */
export function presentLimitedTask(task: TaskView): Json {
  return {
    task_id: task.id,
    status: task.status,
    metadata: task.metadata,
    ...(task.project_name ? { project: task.project_name } : {}),
  };
}

/** An evaluation or training task: Scale's clients read `id` and `expected_response`. */
export function presentQualityTask(task: TaskView): Json {
  return {
    id: task.id,
    type: task.type,
    ...(task.project_name ? { project: task.project_name } : {}),
    ...(task.instruction !== null ? { instruction: task.instruction } : {}),
    params: task.params,
    expected_response: task.expected_response,
    ...(task.initial_response !== null ? { initial_response: task.initial_response } : {}),
    metadata: task.metadata,
    created_at: iso(task.created_at),
  };
}

export function presentBatch(batch: BatchRow, projectName: string): Json {
  return {
    id: batch.id,
    name: batch.name,
    project: projectName,
    status: batch.status,
    callback: batch.callback_url ?? '',
    created_at: iso(batch.created_at),
    ...(batch.finalized_at ? { finalized_at: iso(batch.finalized_at) } : {}),
    ...(batch.completed_at ? { completed_at: iso(batch.completed_at) } : {}),
    metadata: batch.metadata,
  };
}

export function presentProject(
  project: ProjectRow,
  versions: Array<{ version: number; params: unknown; created_at: Date }>,
): Json {
  return {
    id: project.id,
    name: project.name,
    type: project.type,
    created_at: iso(project.created_at),
    // Scale numbers versions from 0; we store from 1 so the column reads naturally.
    param_history: versions.map((v) => ({
      ...(v.params as Json),
      version: v.version - 1,
      created_at: iso(v.created_at),
    })),
  };
}
