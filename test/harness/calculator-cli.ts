import { execFile } from 'node:child_process';
import { ROOT } from './container-process';

/**
 * Runs the `calculator` executable as `npx calculator` does (its bin entry, with this test run's Node), and
 * resolves with how it ended. `env` replaces the environment (the variables a test wants, PATH and HOME).
 */
export function calculator(
  args: readonly string[],
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/calculator.js', ...args],
      {
        cwd: ROOT,
        timeout: 120_000,
        ...(env ? { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } } : {}),
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
