'use strict';
// Where the browser tests find Chromium: CHROMIUM_PATH when set; else chromium, chromium-browser or
// google-chrome on the PATH; else the usual install locations. Plain CommonJS, because
// test/ensure-chromium.sh runs it before anything is built; test/harness/browser.ts uses it too.
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const CHROMIUM_LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
const WHAT_TO_DO =
  'install Chromium or Google Chrome (Debian or Ubuntu: apt-get install chromium; Fedora: dnf install chromium; ' +
  'macOS: brew install --cask chromium), or set CHROMIUM_PATH to its executable';

function isExecutable(path) {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to drive, as `{ path }`, or `{ problem }`: one message saying what to install or set. */
function findChromium(env = process.env, executable = isExecutable) {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    return executable(chosen)
      ? { path: chosen }
      : {
          problem: `CHROMIUM_PATH=${chosen} is not an executable file: point it at Chromium or Google Chrome, or unset it to search`,
        };
  }
  const dirs = (env.PATH || '').split(delimiter).filter(Boolean);
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      if (executable(join(dir, name))) return { path: join(dir, name) };
    }
  }
  for (const path of CHROMIUM_LOCATIONS) if (executable(path)) return { path };
  return { problem: `no Chromium for the browser tests: ${WHAT_TO_DO}` };
}

module.exports = { findChromium, CHROMIUM_NAMES, CHROMIUM_LOCATIONS };

// `node test/find-chromium.js`: prints the path, or the problem (exit 1).
if (require.main === module) {
  const found = findChromium();
  if (found.path) process.stdout.write(`${found.path}\n`);
  else {
    process.stderr.write(`${found.problem}\n`);
    process.exitCode = 1;
  }
}
