import {
  DEFAULT_ORGANIZATION,
  findOrganizationByName,
  inTransaction,
  reaggregateProject,
} from '@quorum/server';
import { TRUTH_METHODS, isTruthMethod } from '@quorum/quality';
import type { Command } from '../main';
import { withDatabase } from '../database';
import { InputError, readFlags, runResearchCommand } from '../csv';

const HELP = `Usage:
  quorum reaggregate --project NAME --method M [--org NAME] [--test]

Recomputes the response of every completed task of a project from its annotators' answers with
another method, which becomes the project's method. Answers are kept; pending tasks stay pending;
no callbacks are sent. Prints the number of tasks recomputed and changed.

Works on the database directly (DATABASE_URL, or the embedded one when no server holds it).
While a server runs on the embedded database, use the API: POST /api/v1/projects/NAME/aggregate.

Options:
  --project NAME   the project (name or id)
  --method M       ${TRUTH_METHODS.join(', ')}
  --org NAME       the organization (default "${DEFAULT_ORGANIZATION}")
  --test           the project in test mode (default: live)`;

export const reaggregate: Command = {
  summary: "Recompute a project's responses from its answers with another method",
  run: (args) =>
    runResearchCommand('reaggregate', HELP, async () => {
      const values = readFlags(
        args,
        {
          project: { type: 'string' },
          method: { type: 'string' },
          org: { type: 'string', default: DEFAULT_ORGANIZATION },
          test: { type: 'boolean', default: false },
          help: { type: 'boolean', default: false },
        },
        'reaggregate',
      );
      if (values.help) return 'help';
      if (!values.project) throw new InputError('--project is required');
      const method = values.method;
      if (!method || !isTruthMethod(method))
        throw new InputError(`--method must be one of ${TRUTH_METHODS.join(', ')}`);
      const orgName = values.org as string;
      return withDatabase(async (database) => {
        const org = await findOrganizationByName(database.db, orgName);
        if (!org) throw new InputError(`--org: no organization named "${orgName}"`);
        const scope = { organizationId: org.id, livemode: !values.test };
        const result = await inTransaction(database.db, (tx) =>
          reaggregateProject(tx, scope, values.project!, method, new Date()),
        );
        return (
          `Re-aggregated ${result.tasks} completed tasks of "${values.project}" with ${method}: ` +
          `${result.changed} responses changed`
        );
      });
    }),
};
