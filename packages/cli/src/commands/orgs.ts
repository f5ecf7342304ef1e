import { parseArgs } from 'node:util';
import { createOrganization, listOrganizations } from '@quorum/server';
import type { Command } from '../main';
import { withDatabase } from '../database';

const HELP = `Usage:
  quorum orgs create NAME [--json]   create an organization and print its first admin key (once)
  quorum orgs list [--json]

Works on the database directly (DATABASE_URL, or the embedded one when no server holds it).`;

export const orgs: Command = {
  summary: 'Create and list organizations (tenants)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    const [action, name] = positionals;
    if (values.help || !action) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (action !== 'create' && action !== 'list') {
      console.error(`quorum orgs: unknown action "${action}"\n\n${HELP}`);
      return 2;
    }
    if (action === 'create' && !name) {
      console.error('quorum orgs create: give the organization name');
      return 2;
    }
    return withDatabase(async (database) => {
      if (action === 'create') {
        const { organization, key } = await database.db
          .transaction()
          .execute((tx) => createOrganization(tx, name!));
        if (values.json)
          console.log(JSON.stringify({ id: organization.id, name: organization.name, key }));
        else
          console.log(
            `Created organization ${organization.name} (${organization.id}). Its admin key, shown once:\n${key}`,
          );
      } else {
        const rows = await listOrganizations(database.db);
        if (values.json) console.log(JSON.stringify(rows.map((r) => ({ id: r.id, name: r.name }))));
        else for (const r of rows) console.log(`${r.id}  ${r.name}`);
      }
      return 0;
    });
  },
};
