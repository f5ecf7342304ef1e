#!/usr/bin/env node
// Lint: imports between our packages point one way (docs/ARCHITECTURE.md). A wrong-way import
// couples a pure package to I/O or the server to the UI, and is refused here with the reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ALLOWED = {
  core: [],
  quality: [],
  formats: ['core'],
  editor: ['core'],
  sdk: ['core'],
  server: ['core', 'quality', 'formats'],
  web: ['editor', 'sdk', 'core'],
  cli: ['sdk', 'server', 'core', 'quality', 'formats'],
};
const WHY = {
  core: 'core is the pure domain: it must not depend on any other package of ours',
  quality: 'quality is pure algorithms: it must not depend on any other package of ours',
  formats: 'formats is pure conversion (bytes and text in, tasks out) and may only use core',
  editor: 'editor models are headless and may only use core',
  sdk: 'the SDK ships to customers and may only use core',
  server: 'the server may use core, quality and formats only (never web, sdk or cli)',
  web: 'the web app may use editor, sdk and core only (never server code)',
  cli: 'the CLI may use sdk, server, core, quality and formats (researchers run the quality library locally)',
};
// Node built-ins a pure package must not touch (I/O, processes, network).
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|dns|tls|worker_threads|cluster)$/;

const root = new URL('..', import.meta.url).pathname;
const problems = [];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mts)$/.test(name)) yield path;
  }
}

for (const pkg of Object.keys(ALLOWED)) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(
      /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const spec = match[1] ?? match[2];
      const ours = /^@quorum\/([a-z-]+)/.exec(spec);
      const where = relative(root, file);
      if (ours && ours[1] !== pkg && !ALLOWED[pkg].includes(ours[1])) {
        problems.push(`${where}: imports @quorum/${ours[1]} — ${WHY[pkg]}`);
      }
      if (
        (pkg === 'core' || pkg === 'quality' || pkg === 'formats') &&
        IO_MODULES.test(spec) &&
        !file.endsWith('.test.ts')
      ) {
        problems.push(`${where}: imports ${spec} — ${WHY[pkg]} and do no I/O`);
      }
      if (
        spec.startsWith('.') &&
        !resolve(dirname(file), spec).startsWith(join(root, 'packages', pkg) + '/')
      ) {
        problems.push(
          `${where}: imports ${spec} by path — import the package by name (@quorum/...)`,
        );
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Import boundaries broken (docs/ARCHITECTURE.md):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('Import boundaries hold.');
