import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organizations (
      id text primary key,
      name text not null unique,
      -- Sent as Scale's scale-callback-auth header and used to sign Standard Webhooks.
      callback_auth_key text,
      webhook_secret text,
      created_at timestamptz not null default now()
    );

    create table api_keys (
      id text primary key,
      organization_id text not null references organizations(id),
      environment text not null check (environment in ('live', 'test')),
      name text not null,
      key_hash text not null unique,
      key_hint text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index api_keys_organization on api_keys (organization_id, created_at);

    create table projects (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      name text not null,
      type text not null,
      params jsonb not null default '{}',
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (organization_id, livemode, name)
    );

    create table project_versions (
      project_id text not null references projects(id),
      version integer not null,
      params jsonb not null,
      created_at timestamptz not null default now(),
      primary key (project_id, version)
    );

    create table batches (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      project_id text not null references projects(id),
      name text not null,
      status text not null check (status in ('staging', 'in_progress', 'completed')),
      callback_url text,
      metadata jsonb not null default '{}',
      created_at timestamptz not null default now(),
      finalized_at timestamptz,
      completed_at timestamptz,
      unique (organization_id, livemode, name)
    );
    create index batches_project on batches (project_id, created_at);

    create table tasks (
      id text primary key,
      seq bigint generated always as identity unique,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      kind text not null check (kind in ('task', 'evaluation', 'training')),
      type text not null,
      status text not null check (status in ('pending', 'completed', 'canceled', 'error')),
      project_id text references projects(id),
      batch_id text references batches(id),
      params jsonb not null,
      instruction text,
      callback_url text,
      metadata jsonb not null default '{}',
      unique_id text,
      tags text[] not null default '{}',
      priority integer not null default 30,
      response jsonb,
      expected_response jsonb,
      initial_response jsonb,
      audits jsonb not null default '[]',
      customer_review_status text,
      callback_succeeded boolean,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      completed_at timestamptz,
      canceled_at timestamptz
    );
    create unique index tasks_unique_id on tasks (organization_id, livemode, unique_id)
      where unique_id is not null;
    create index tasks_listing on tasks (organization_id, livemode, kind, seq);
    create index tasks_batch on tasks (batch_id, status) where batch_id is not null;
    create index tasks_project on tasks (project_id, seq) where project_id is not null;

    create table files (
      id text primary key,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      storage_key text not null,
      filename text not null,
      content_type text not null,
      size bigint not null,
      sha256 text not null,
      project_name text,
      display_name text,
      reference_id text,
      metadata jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index files_organization on files (organization_id, created_at);
    create unique index files_reference_id on files (organization_id, livemode, reference_id)
      where reference_id is not null;

    create table deliveries (
      id text primary key,
      seq bigint generated always as identity unique,
      organization_id text not null references organizations(id),
      livemode boolean not null,
      event text not null,
      task_id text references tasks(id),
      batch_id text references batches(id),
      url text not null,
      payload jsonb not null,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      created_at timestamptz not null default now(),
      succeeded_at timestamptz
    );
    create index deliveries_organization on deliveries (organization_id, livemode, seq);
    create index deliveries_task on deliveries (task_id) where task_id is not null;

    create table delivery_attempts (
      id bigint generated always as identity primary key,
      delivery_id text not null references deliveries(id),
      attempt integer not null,
      attempted_at timestamptz not null default now(),
      status_code integer,
      error text,
      duration_ms integer not null
    );
    create index delivery_attempts_delivery on delivery_attempts (delivery_id, attempt);
  `.execute(db);
}
