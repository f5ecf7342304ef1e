import { sql, type Kysely } from 'kysely';

/**
 * The queue's tables (work items, assignments, task answers) drop their foreign keys; the
 * reasons are in docs/adr/0004-queue-tables-without-foreign-keys.md. In short: nothing they
 * point at is ever deleted, and every id they hold is read from its row in the statement that
 * writes it, so the checks could not fail; yet each checked row was looked up and locked, and
 * the lock written to the log, on every claim and every answer.
 */
const keys = [
  ['work_items', 'task_id', 'tasks'],
  ['work_items', 'organization_id', 'organizations'],
  ['work_items', 'project_id', 'projects'],
  ['work_items', 'batch_id', 'batches'],
  ['assignments', 'task_id', 'tasks'],
  ['assignments', 'organization_id', 'organizations'],
  ['assignments', 'project_id', 'projects'],
  ['assignments', 'batch_id', 'batches'],
  ['assignments', 'worker_id', 'workers'],
  ['task_answers', 'task_id', 'tasks'],
  ['task_answers', 'organization_id', 'organizations'],
  ['task_answers', 'project_id', 'projects'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, column] of keys)
    await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(`${table}_${column}_fkey`)}`.execute(
      db,
    );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, column, parent] of keys)
    await sql`alter table ${sql.table(table)} add foreign key (${sql.ref(column)})
      references ${sql.table(parent)} (id)`.execute(db);
}
