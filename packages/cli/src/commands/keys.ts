import { parseArgs } from 'node:util';
import {
  createApiKey,
  DEFAULT_ORGANIZATION,
  findOrganizationByName,
  listApiKeys,
  revokeKey,
} from '@quorum/server';
import type { Command } from '../main';
import { withDatabase } from '../database';

const HELP = `Usage:
  quorum keys create [--name NAME] [--test] [--org NAME] [--json]
  quorum keys list [--org NAME] [--json]
  quorum keys revoke ID [--org NAME]

Works on the database directly (DATABASE_URL, or the embedded one when no server holds it).
While a server runs on the embedded database, use the API instead: POST/GET/DELETE /api/v1/keys.`;

export const keys: Command = {
  summary: 'Create, list and revoke API keys',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string', default: 'CLI key' },
        test: { type: 'boolean', default: false },
        org: { type: 'string', default: DEFAULT_ORGANIZATION },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    const [action, id] = positionals;
    if (values.help || !action) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    if (!['create', 'list', 'revoke'].includes(action)) {
      console.error(`quorum keys: unknown action "${action}"\n\n${HELP}`);
      return 2;
    }
    if (action === 'revoke' && !id) {
      console.error('quorum keys revoke: give the key id (see "quorum keys list")');
      return 2;
    }
    return withDatabase(async (database) => {
      const org = await findOrganizationByName(database.db, values.org);
      if (!org) {
        console.error(
          `quorum keys: no organization named "${values.org}" (start the server once first)`,
        );
        return 1;
      }
      if (action === 'create') {
        const { key, row } = await createApiKey(
          database.db,
          org.id,
          values.test ? 'test' : 'live',
          values.name,
        );
        if (values.json)
          console.log(
            JSON.stringify({ id: row.id, key, environment: row.environment, name: row.name }),
          );
        else
          console.log(
            `Created ${row.environment} key ${row.id} ("${row.name}"). The secret, shown once:\n${key}`,
          );
      } else if (action === 'list') {
        const rows = await listApiKeys(database.db, org.id);
        if (values.json) {
          console.log(
            JSON.stringify(
              rows.map((r) => ({
                id: r.id,
                name: r.name,
                environment: r.environment,
                hint: r.key_hint,
                revoked_at: r.revoked_at,
              })),
            ),
          );
        } else {
          for (const r of rows) {
            console.log(
              `${r.id}  ${r.environment.padEnd(4)}  ${r.key_hint}  ${r.revoked_at ? 'revoked' : 'active '}  ${r.name}`,
            );
          }
        }
      } else {
        const row = await revokeKey(database.db, org.id, id!, new Date());
        console.log(`Revoked key ${row.id} ("${row.name}")`);
      }
      return 0;
    });
  },
};
