import type { Delivery } from '@quorum/core';
import type { DeliveryRow, DeliveryAttemptsTable } from '../db/schema';
import type { Selectable } from 'kysely';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    event: row.event,
    task_id: row.task_id,
    batch_id: row.batch_id,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: iso(row.next_attempt_at),
    last_attempt_at: iso(row.last_attempt_at),
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at.toISOString(),
    succeeded_at: iso(row.succeeded_at),
  };
}

export function presentAttempt(row: Selectable<DeliveryAttemptsTable>) {
  return {
    attempt: row.attempt,
    attempted_at: row.attempted_at.toISOString(),
    status_code: row.status_code,
    error: row.error,
    duration_ms: row.duration_ms,
  };
}
