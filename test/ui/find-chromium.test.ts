import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_LOCATIONS, findChromium } from '../find-chromium';
import { ROOT } from '../harness/container-process';

// Where the browser tests find a browser: checked with a stand-in file system, then for real.
const only =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('finding Chromium for the browser tests', () => {
  it('takes CHROMIUM_PATH first, and says so when it is not an executable', () => {
    expect(
      findChromium(
        { CHROMIUM_PATH: '/opt/my/chrome', PATH: '/usr/bin' },
        only('/opt/my/chrome', '/usr/bin/chromium'),
      ),
    ).toEqual({
      path: '/opt/my/chrome',
    });
    expect(findChromium({ CHROMIUM_PATH: '/nope', PATH: '/usr/bin' }, only('/usr/bin/chromium'))).toEqual({
      problem:
        'CHROMIUM_PATH=/nope is not an executable file: point it at Chromium or Google Chrome, or unset it to search',
    });
  });

  it('looks on the PATH for chromium, chromium-browser and google-chrome, in that order', () => {
    const env = { PATH: '/a:/b' };
    expect(findChromium(env, only('/b/google-chrome', '/a/chromium-browser'))).toEqual({
      path: '/a/chromium-browser',
    });
    expect(findChromium(env, only('/b/google-chrome'))).toEqual({ path: '/b/google-chrome' });
    expect(findChromium(env, only('/b/chromium', '/a/google-chrome'))).toEqual({ path: '/b/chromium' });
  });

  it('then in the usual install locations (Debian, snap, Google Chrome, macOS)', () => {
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(CHROMIUM_LOCATIONS).toContain(mac);
    expect(findChromium({ PATH: '/a' }, only(mac))).toEqual({ path: mac });
    expect(findChromium({ PATH: '/a' }, only('/snap/bin/chromium'))).toEqual({ path: '/snap/bin/chromium' });
  });

  it('otherwise fails with one message saying what to install and which variable to set', () => {
    expect(findChromium({ PATH: '/a' }, only())).toEqual({
      problem:
        'no Chromium for the browser tests: install Chromium or Google Chrome (Debian or Ubuntu: apt-get install chromium; ' +
        'Fedora: dnf install chromium; macOS: brew install --cask chromium), or set CHROMIUM_PATH to its executable',
    });
  });

  it('runs as `node test/find-chromium.js`, as test/ensure-chromium.sh runs it, on a real PATH', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'find-chromium-'));
    try {
      writeFileSync(join(bin, 'google-chrome'), '#!/bin/sh\n');
      chmodSync(join(bin, 'google-chrome'), 0o755);
      const run = (env: Record<string, string>) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            process.execPath,
            [join(ROOT, 'test', 'find-chromium.js')],
            { env },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
          ),
        );
      expect(await run({ PATH: bin })).toEqual({
        code: 0,
        stdout: `${join(bin, 'google-chrome')}\n`,
        stderr: '',
      });
      const wrong = await run({ PATH: bin, CHROMIUM_PATH: join(bin, 'missing') });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^CHROMIUM_PATH=.*missing is not an executable file/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
