import { serve } from './commands/serve';
import { migrate } from './commands/migrate';
import { keys } from './commands/keys';
import { orgs } from './commands/orgs';
import { rank } from './commands/rank';
import { leaderboard } from './commands/leaderboard';
import { aggregate } from './commands/aggregate';
import { aggregateBoxes } from './commands/aggregate-boxes';
import { reaggregate } from './commands/reaggregate';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve,
  migrate,
  keys,
  orgs,
  aggregate,
  'aggregate-boxes': aggregateBoxes,
  reaggregate,
  rank,
  leaderboard,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return `Usage: quorum <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "quorum <command> --help" for a command's options.`;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`quorum: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(argv.slice(1));
  } catch (error) {
    console.error(`quorum ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
