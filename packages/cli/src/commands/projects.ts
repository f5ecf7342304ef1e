import { readFile } from 'node:fs/promises';
import type { ScaleProject } from '@quorum/sdk';
import type { Command } from '../main';
import { InputError } from '../csv';
import { CONNECTION_HELP, clientFor, Output, readRemoteFlags, runRemote } from '../remote';
import { alignColumns, shortTime } from '../table';
import { fileSize } from '../upload';

const HELP = `Usage:
  quorum projects [list] [--json]
  quorum projects create NAME --type TYPE [--params JSON] [--json]
  quorum projects create NAME --from-labelstudio-config config.xml [--json]

Lists the organization's projects (name, type, created), or creates one. TYPE is a task type
(categorization, imageannotation, namedentityrecognition, comparison, textcollection, chat);
--params sets the project's default task parameters, a JSON object such as
'{"categories": ["cat", "dog"]}'. --from-labelstudio-config makes the project from a Label
Studio labeling config instead (its type and parameters from the config's tags, which the
server keeps, so Label Studio exports import under their control names).

Output: a table, or with --json the API's project objects (a JSON array for list, one object for
create).

${CONNECTION_HELP}`;

function parseParams(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let params: unknown;
  try {
    params = JSON.parse(text);
  } catch {
    throw new InputError(`--params is not JSON: ${text}`);
  }
  if (!params || typeof params !== 'object' || Array.isArray(params))
    throw new InputError('--params must be a JSON object of task parameters');
  return params as Record<string, unknown>;
}

export const projects: Command = {
  summary: 'List or create projects on a server (--url/--key or QUORUM_URL/QUORUM_API_KEY)',
  run: (args) =>
    runRemote('projects', async () => {
      const { values, positionals } = readRemoteFlags(
        args,
        {
          type: { type: 'string' },
          params: { type: 'string' },
          'from-labelstudio-config': { type: 'string' },
        },
        'projects',
      );
      if (values.help) {
        console.log(HELP);
        return 0;
      }
      const [action = 'list', name, ...rest] = positionals;
      if (rest.length > 0) throw new InputError(`unexpected argument "${rest[0]}"`);
      const output = new Output();
      if (action === 'list') {
        if (name !== undefined) throw new InputError(`unexpected argument "${name}"`);
        const client = clientFor(values);
        const list = await client.projects.list();
        if (values.json) await output.json(list);
        else await printProjects(output, list);
        return 0;
      }
      if (action !== 'create')
        throw new InputError(`unknown action "${action}" (list or create; see --help)`);
      if (!name) throw new InputError('give the new project’s name: quorum projects create NAME');
      const configFile = values['from-labelstudio-config'];
      if (configFile !== undefined && (values.type !== undefined || values.params !== undefined))
        throw new InputError(
          '--from-labelstudio-config sets the type and parameters; leave out --type and --params',
        );
      if (configFile === undefined && !values.type)
        throw new InputError(
          '--type is required (the task type of the project), or --from-labelstudio-config',
        );
      const params = parseParams(values.params);
      const config = configFile === undefined ? undefined : await readConfig(configFile);
      const client = clientFor(values);
      const project =
        config === undefined
          ? await client.projects.create({ name, type: values.type!, params })
          : await client.projects.fromLabelStudioConfig(name, config);
      if (values.json) await output.json(project);
      else await output.line(`Created project ${project.name} (${project.type}, id ${project.id})`);
      return 0;
    }),
};

/** The server takes configs up to 1 MiB. */
const MAX_CONFIG_BYTES = 1024 * 1024;

async function readConfig(path: string): Promise<string> {
  const size = await fileSize(path);
  if (size > MAX_CONFIG_BYTES)
    throw new InputError(`"${path}" is ${size} bytes; a labeling config may have 1 MiB at most`);
  return readFile(path, 'utf8');
}

async function printProjects(output: Output, list: ScaleProject[]): Promise<void> {
  if (list.length === 0) {
    console.error('No projects yet: "quorum projects create NAME --type TYPE" makes one.');
    return;
  }
  const rows = [
    ['NAME', 'TYPE', 'CREATED (UTC)'],
    ...list.map((p) => [p.name, p.type, shortTime(p.created_at)]),
  ];
  for (const line of alignColumns(rows)) await output.line(line);
}
