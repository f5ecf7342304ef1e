export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

// Commands are loaded when run: those that talk to a server over HTTP then start without loading
// the server itself.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve')).serve,
  migrate: async () => (await import('./commands/migrate')).migrate,
  keys: async () => (await import('./commands/keys')).keys,
  orgs: async () => (await import('./commands/orgs')).orgs,
  projects: async () => (await import('./commands/projects')).projects,
  tasks: async () => (await import('./commands/tasks')).tasks,
  import: async () => (await import('./commands/import')).importCommand,
  export: async () => (await import('./commands/export')).exportCommand,
  aggregate: async () => (await import('./commands/aggregate')).aggregate,
  'aggregate-boxes': async () => (await import('./commands/aggregate-boxes')).aggregateBoxes,
  reaggregate: async () => (await import('./commands/reaggregate')).reaggregate,
  rank: async () => (await import('./commands/rank')).rank,
  leaderboard: async () => (await import('./commands/leaderboard')).leaderboard,
};

async function usage(): Promise<string> {
  const names = Object.keys(COMMANDS);
  const commands = await Promise.all(names.map((name) => COMMANDS[name]!()));
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name, index) => `  ${name.padEnd(width)}  ${commands[index]!.summary}`);
  return `Usage: quorum <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "quorum <command> --help" for a command's options.`;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    console.error(`quorum: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  try {
    return await (await load()).run(argv.slice(1));
  } catch (error) {
    console.error(`quorum ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
