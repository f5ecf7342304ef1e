import type { ScaleTask, TaskListQuery, TaskStatus } from '@quorum/sdk';
import type { Command } from '../main';
import { InputError } from '../csv';
import { CONNECTION_HELP, clientFor, Output, readRemoteFlags, runRemote } from '../remote';
import { shortTime, StreamedTable } from '../table';

const HELP = `Usage:
  quorum tasks [--project NAME] [--batch NAME] [--status STATUS] [--limit N] [--json]

Lists tasks, newest first, fetching pages from the server as it prints (so it starts at once and
stops fetching when --limit is reached or the reader closes the pipe).

Options:
  --project NAME   only this project's tasks
  --batch NAME     only this batch's tasks
  --status STATUS  pending, completed, canceled or error
  --limit N        at most N tasks (default: all)

Output: a table (task id, status, type, batch, unique id, created), or with --json one task per
line as the API shows it (JSON lines, GET /v1/task/{id}'s object).

${CONNECTION_HELP}`;

const STATUSES: readonly TaskStatus[] = ['pending', 'completed', 'canceled', 'error'];
const HEADER = ['TASK', 'STATUS', 'TYPE', 'BATCH', 'UNIQUE ID', 'CREATED (UTC)'];

export interface TasksOptions {
  query: TaskListQuery;
  limit: number | undefined;
}

export function parseTasksQuery(values: {
  project?: string | undefined;
  batch?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
}): TasksOptions {
  const status = values.status;
  if (status !== undefined && !STATUSES.includes(status as TaskStatus))
    throw new InputError(`--status must be one of ${STATUSES.join(', ')}, not "${status}"`);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = /^\d+$/.test(values.limit) ? Number(values.limit) : NaN;
    if (!(limit >= 1))
      throw new InputError(`--limit must be a whole number from 1, not "${values.limit}"`);
  }
  return {
    query: {
      project: values.project,
      batch: values.batch,
      status: status as TaskStatus | undefined,
      // Pages no larger than needed: --limit 5 asks for 5.
      limit: Math.min(100, limit ?? 100),
    },
    limit,
  };
}

function cellsOf(task: ScaleTask): string[] {
  return [
    task.task_id,
    task.status,
    task.type,
    task.batch ?? '-',
    task.unique_id ?? '-',
    shortTime(task.created_at),
  ];
}

export const tasks: Command = {
  summary: 'List tasks on a server, page by page (table or JSON lines)',
  run: (args) =>
    runRemote('tasks', async () => {
      const { values, positionals } = readRemoteFlags(
        args,
        {
          project: { type: 'string' },
          batch: { type: 'string' },
          status: { type: 'string' },
          limit: { type: 'string' },
        },
        'tasks',
      );
      if (values.help) {
        console.log(HELP);
        return 0;
      }
      if (positionals.length > 0) throw new InputError(`unexpected argument "${positionals[0]}"`);
      const { query, limit } = parseTasksQuery(values);
      const client = clientFor(values);
      const output = new Output();
      const table = values.json ? undefined : new StreamedTable(output, HEADER);
      let count = 0;
      for await (const task of client.tasks(query)) {
        count++;
        if (table) await table.add(cellsOf(task));
        else await output.json(task);
        // Before the loop asks for more, which could fetch a page nobody wants.
        if (count === limit) break;
      }
      if (table) {
        if (count === 0) console.error('No tasks match.');
        else await table.flush();
      }
      return 0;
    }),
};
