#!/usr/bin/env node
// `npx calculator <command>`: runs the built command line, building it first when the build is missing
// or older than the sources (so it works straight after `npm ci`, and after a pull).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'cli', 'calculator.js');

function newestSource(directory) {
  let newest = 0;
  // An image or package without the sources runs what it was built with.
  if (!existsSync(directory)) return 0;
  for (const name of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, name.name);
    if (name.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (name.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// The build's own record: tsc rewrites it on every build, and only the outputs that changed.
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const built = existsSync(entry) && existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
if (built < Math.max(...['src', 'container', 'cli', 'cdktf'].map((name) => newestSource(join(root, name))))) {
  process.stderr.write('calculator: building (npm run build)…\n');
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  // tsc leaves its record alone when no output changed (a source touched, not edited): mark it built now,
  // or every run would build again.
  const now = new Date();
  if (existsSync(buildInfo)) utimesSync(buildInfo, now, now);
}
require(entry)
  .runCalculator(process.argv.slice(2))
  .then((code) => process.exit(code));
