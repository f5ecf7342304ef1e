import { sql, type Kysely } from 'kysely';

/** OpenAI-compatible chat endpoints an organization registers; keys are stored encrypted. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table model_endpoints (
      id text primary key,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      name text not null,
      base_url text not null,
      model text not null,
      parameters jsonb not null default '{}',
      api_key_encrypted text,
      api_key_hint text,
      concurrency integer not null,
      timeout_ms integer not null,
      max_retries integer not null,
      created_at timestamptz not null default now(),
      deleted_at timestamptz
    )
  `.execute(db);
  await sql`
    create unique index model_endpoints_name on model_endpoints (organization_id, livemode, name)
      where deleted_at is null
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table model_endpoints`.execute(db);
}
