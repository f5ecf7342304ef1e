import { sql, type Kysely } from 'kysely';

/**
 * Live chat turns, recorded as the model gave them (the conversation a chat task's response
 * carries is this one, never the client's), and red-team campaigns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table chat_turns (
      assignment_id text not null references assignments (id),
      seq integer not null,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      task_id text not null references tasks (id),
      role text not null,
      content text not null,
      endpoint_id text references model_endpoints (id),
      latency_ms double precision,
      prompt_tokens integer,
      completion_tokens integer,
      finish_reason text,
      created_at timestamptz not null,
      primary key (assignment_id, seq)
    )
  `.execute(db);
  await sql`
    create table redteam_campaigns (
      id text primary key,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      name text not null,
      project_id text not null references projects (id),
      endpoint_ids jsonb not null,
      taxonomy jsonb not null,
      categories jsonb not null,
      severities jsonb not null,
      attempts_per_category integer not null,
      max_turns integer not null,
      created_at timestamptz not null
    )
  `.execute(db);
  await sql`
    create unique index redteam_campaigns_name on redteam_campaigns (organization_id, livemode, name)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table redteam_campaigns`.execute(db);
  await sql`drop table chat_turns`.execute(db);
}
