import { sql, type Kysely } from 'kysely';

/** Raw annotator answers, kept for ever; a task's response is their consensus. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Routing and quality settings of a project (consensus size and target, aggregation method).
    alter table projects add column settings jsonb not null default '{}';

    -- How a task's response was reached from its answers: method, confidence, answer count.
    alter table tasks add column consensus jsonb;

    create table task_answers (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      task_id text not null references tasks(id),
      project_id text references projects(id),
      worker text not null,
      response jsonb not null,
      -- For evaluation and training tasks: the answer's score against the expected response.
      score double precision,
      created_at timestamptz not null default now(),
      -- One answer per annotator and task: consensus counts distinct people.
      unique (task_id, worker)
    );
    create index task_answers_project on task_answers (project_id, task_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table task_answers;
    alter table tasks drop column consensus;
    alter table projects drop column settings;
  `.execute(db);
}
