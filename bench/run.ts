/**
 * `npm run bench -- NAME [options]`: runs one benchmark, which prints its figures and the ratio
 * to a reference measured in the same run (shared machines drift; ratios hold).
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  ingest: () => import('./ingest'),
  aggregation: () => import('./aggregation'),
  boxes: () => import('./boxes'),
  queue: () => import('./queue'),
  editor: () => import('./editor'),
  leaderboard: () => import('./leaderboard'),
  export: () => import('./export'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(args);
process.exit(0);
export {};
