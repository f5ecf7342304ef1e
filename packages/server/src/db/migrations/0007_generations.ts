import { sql, type Kysely } from 'kysely';

/** Prompt sets, generation runs over them, and every model response with its cost. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table prompt_sets (
      id text primary key,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      name text not null,
      prompt_count integer not null default 0,
      created_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create unique index prompt_sets_name on prompt_sets (organization_id, livemode, name)`.execute(
    db,
  );
  await sql`
    create table prompts (
      id text primary key,
      prompt_set_id text not null references prompt_sets (id),
      seq integer not null,
      messages jsonb not null,
      category text,
      external_id text,
      metadata jsonb not null default '{}'
    )
  `.execute(db);
  await sql`create unique index prompts_order on prompts (prompt_set_id, seq)`.execute(db);
  await sql`
    create table generations (
      id text primary key,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      prompt_set_id text not null references prompt_sets (id),
      endpoint_ids text[] not null,
      parameters jsonb not null default '{}',
      status text not null,
      total integer not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`
    create table generation_responses (
      id text primary key,
      generation_id text not null references generations (id),
      prompt_id text not null references prompts (id),
      endpoint_id text not null references model_endpoints (id),
      model text not null,
      parameters jsonb not null,
      status text not null,
      content text,
      error text,
      finish_reason text,
      latency_ms double precision,
      prompt_tokens integer,
      completion_tokens integer,
      attempts integer not null default 0,
      claimed_at timestamptz,
      completed_at timestamptz
    )
  `.execute(db);
  await sql`
    create unique index generation_responses_one on generation_responses (generation_id, prompt_id, endpoint_id)
  `.execute(db);
  await sql`
    create index generation_responses_pending on generation_responses (generation_id, status)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table generation_responses`.execute(db);
  await sql`drop table generations`.execute(db);
  await sql`drop table prompts`.execute(db);
  await sql`drop table prompt_sets`.execute(db);
}
