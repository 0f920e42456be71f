import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';
import { findChromium } from '../find-chromium';
import { ROOT } from './container-process';

// As DEVELOPERS.md says: without the background-networking flags Chromium tries to reach Google.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where tests save screenshots (not committed). */
export const ARTIFACTS = join(ROOT, 'test', 'artifacts');

/** A real Chromium with a fresh profile, recording every request any page makes. */
export interface TestBrowser {
  readonly context: BrowserContext;
  readonly requestedUrls: string[];
  readonly close: () => Promise<void>;
}

/** Launches Chromium (CHROMIUM_PATH, or the one test/find-chromium.js finds) through playwright-core. */
export async function launchBrowser(): Promise<TestBrowser> {
  const found = findChromium();
  if (!found.path) throw new Error(found.problem);
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'calculator-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const requestedUrls: string[] = [];
  context.on('request', (request) => requestedUrls.push(request.url()));
  return {
    context,
    requestedUrls,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The requests that left 127.0.0.1 (data: and blob: URLs never leave the page). */
export function offHostRequests(urls: readonly string[]): string[] {
  return urls.filter((url) => !/^(data|blob|about):/.test(url) && new URL(url).hostname !== '127.0.0.1');
}
