import { sql, type Kysely } from 'kysely';

/** People, their project standing, the work queue and assignments (claims with leases). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table workers (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      email text not null,
      name text not null,
      -- owner, admin, manager, reviewer, annotator
      roles text[] not null,
      pool text not null check (pool in ('internal', 'vendor', 'crowd')),
      team text,
      -- {"skill": level}
      skills jsonb not null default '{}',
      languages text[] not null default '{}',
      clearance integer not null default 0,
      -- scrypt, self-describing; null when the worker signs in with tokens only
      password_hash text,
      status text not null check (status in ('active', 'removed')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (organization_id, livemode, email)
    );

    -- Personal tokens and web sessions; only their SHA-256 is stored.
    create table worker_credentials (
      id text primary key,
      worker_id text not null references workers(id),
      kind text not null check (kind in ('token', 'session')),
      secret_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz
    );
    create index worker_credentials_worker on worker_credentials (worker_id);

    -- A worker's standing on a project: qualification, gold accuracy, pause, pay rate.
    create table project_members (
      organization_id text not null references organizations(id),
      livemode boolean not null,
      project_id text not null references projects(id),
      worker_id text not null references workers(id),
      -- training → qualifying → active; paused and unqualified block real work; removed is final
      status text not null
        check (status in ('training', 'qualifying', 'active', 'paused', 'unqualified', 'removed')),
      reason text,
      -- evaluation answers since the worker last (re)started qualifying, and their score sum
      qualify_answers integer not null default 0,
      qualify_score double precision not null default 0,
      -- every evaluation answer on the project (qualification and mixed-in gold)
      gold_answers integer not null default 0,
      gold_score double precision not null default 0,
      -- training tasks done since the worker was last sent back to training
      trained integer not null default 0,
      -- overrides the project's rate for this worker (minor currency units per accepted attempt)
      pay_rate integer,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (project_id, worker_id)
    );
    create index project_members_worker on project_members (worker_id);

    alter table batches add column priority integer not null default 0;
    alter table batches add column deadline timestamptz;

    -- The queue: one row per task and stage with claims still to hand out.
    create table work_items (
      task_id text not null references tasks(id),
      stage text not null check (stage in ('attempt', 'review', 'audit')),
      organization_id text not null references organizations(id),
      livemode boolean not null,
      project_id text not null references projects(id),
      batch_id text references batches(id),
      open_slots integer not null check (open_slots >= 0),
      priority integer not null,
      deadline timestamptz,
      seq bigint not null,
      primary key (task_id, stage)
    );
    create index work_items_project_queue
      on work_items (project_id, stage, priority desc, deadline asc nulls last, seq)
      where open_slots > 0;
    create index work_items_queue
      on work_items (organization_id, livemode, stage, priority desc, deadline asc nulls last, seq)
      where open_slots > 0;
    create index work_items_batch on work_items (batch_id) where batch_id is not null;

    create table assignments (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      task_id text not null references tasks(id),
      project_id text not null references projects(id),
      batch_id text references batches(id),
      worker_id text not null references workers(id),
      -- gold is an evaluation task served as an attempt (the worker sees "attempt")
      stage text not null
        check (stage in ('attempt', 'review', 'audit', 'training', 'evaluation', 'gold')),
      status text not null
        check (status in ('active', 'submitted', 'released', 'expired', 'late')),
      claimed_at timestamptz not null,
      lease_expires_at timestamptz not null,
      last_seen_at timestamptz not null,
      submitted_at timestamptz,
      active_seconds double precision not null default 0,
      response jsonb,
      idempotency_key text,
      release_reason text,
      score double precision,
      -- attempts: accepted or rejected once the task completes; reviews: accepted or corrected
      outcome text check (outcome in ('accepted', 'rejected', 'corrected')),
      pay_base integer not null default 0,
      pay_bonus integer not null default 0,
      currency text,
      -- No one works on a task twice, in any stage.
      unique (task_id, worker_id)
    );
    create index assignments_worker on assignments (worker_id, claimed_at);
    create index assignments_open on assignments (worker_id) where status = 'active';
    create index assignments_expiry on assignments (lease_expires_at) where status = 'active';
    create index assignments_task on assignments (task_id, stage);
    create index assignments_batch on assignments (batch_id, submitted_at) where batch_id is not null;
    create index assignments_project on assignments (project_id, submitted_at);

    -- Worker ids of the answers the queue records; answers of other workforces keep free ids.
    create index task_answers_worker on task_answers (project_id, worker, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index task_answers_worker;
    drop table assignments;
    drop table work_items;
    alter table batches drop column deadline;
    alter table batches drop column priority;
    drop table project_members;
    drop table worker_credentials;
    drop table workers;
  `.execute(db);
}
