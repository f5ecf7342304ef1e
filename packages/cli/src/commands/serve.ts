import { parseArgs } from 'node:util';
import { loadConfig, startPlatform } from '@quorum/server';
import type { Command } from '../main';

export const serve: Command = {
  summary: 'Run the platform (web app and API); what `npm start` runs',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      console.log(
        'Usage: quorum serve [--host 127.0.0.1] [--port 8080]\n\n' +
          'Uses DATABASE_URL when set, else the embedded database in QUORUM_DATA_DIR (./data).',
      );
      return 0;
    }
    const env = { ...process.env };
    if (values.port) env.QUORUM_PORT = values.port;
    if (values.host) env.QUORUM_HOST = values.host;
    const config = loadConfig(env);
    const platform = await startPlatform(config);
    const where = config.databaseUrl
      ? 'PostgreSQL (DATABASE_URL)'
      : `embedded PGlite in ${config.dataDir}`;
    // One write, so whoever reads the output gets the banner whole.
    const banner = [`Quorum is running at ${platform.url} on ${where}`];
    if (platform.bootstrap.generatedKey) {
      banner.push(
        `\nAdmin API key (shown once, also saved to ${config.dataDir}/admin-key):\n  ${platform.bootstrap.generatedKey}\n`,
      );
    }
    const owner = platform.bootstrap.owner;
    if (owner?.generatedPassword) {
      banner.push(
        `Owner sign-in for the web app at ${platform.url} (one-time password, shown once; ` +
          `you choose a new one when you first sign in):\n  email:    ${owner.email}\n  password: ${owner.generatedPassword}\n`,
      );
    } else if (owner) {
      banner.push(`Owner account created: ${owner.email} (password from QUORUM_OWNER_PASSWORD)\n`);
    }
    console.log(banner.join('\n'));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('Stopping…');
    await platform.close();
    return 0;
  },
};
