import { sql, type Kysely } from 'kysely';

/** A judge model's verdicts on comparison tasks: a source beside the human answers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table judge_verdicts (
      id text primary key,
      organization_id text not null references organizations (id),
      livemode boolean not null,
      generation_id text not null references generations (id),
      task_id text not null references tasks (id),
      endpoint_id text not null references model_endpoints (id),
      model text not null,
      status text not null,
      verdict text,
      reply text,
      error text,
      latency_ms double precision,
      attempts integer not null default 0,
      claimed_at timestamptz,
      completed_at timestamptz
    )
  `.execute(db);
  await sql`create unique index judge_verdicts_one on judge_verdicts (task_id, endpoint_id)`.execute(
    db,
  );
  await sql`create index judge_verdicts_pending on judge_verdicts (generation_id, status)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table judge_verdicts`.execute(db);
}
