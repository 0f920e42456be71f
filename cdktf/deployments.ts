import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One deploy or rollback of a stage, as `calculator deploy` / `rollback` recorded it. */
export interface DeploymentRecord {
  /** The model package version in the stage's group (`calculator-<stage>`). */
  readonly version: number;
  /** The model's own version (model.json), for the reviewer. */
  readonly modelVersion?: string;
  readonly action: 'deploy' | 'rollback';
  /** ISO time of the record. */
  readonly at: string;
}

/** What a stage serves: the current version, and every record that led there (oldest first). */
export interface StageDeployments {
  readonly current?: number;
  readonly history: readonly DeploymentRecord[];
}

/** `cdktf/deployments.json`: the committed record of which approved version each stage serves. */
export type Deployments = Readonly<Record<string, StageDeployments>>;

/** The project's root: the nearest folder above this file with a package.json (from cdktf/ or dist/cdktf/). */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The file in the repository, whether this runs from the sources or from dist/. */
export const DEPLOYMENTS_FILE = join(projectRoot(), 'cdktf', 'deployments.json');

/** A deployments file that cannot be read; the message names the file and the problem. */
export class DeploymentsError extends Error {
  override readonly name = 'DeploymentsError';
}

/** Reads and checks a deployments file; a missing file is no deployments at all. */
export function readDeployments(file: string = DEPLOYMENTS_FILE): Deployments {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DeploymentsError(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DeploymentsError(`${file} must hold an object of stages, got ${JSON.stringify(parsed)}`);
  }
  for (const [stage, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const { current, history } = (entry ?? {}) as { current?: unknown; history?: unknown };
    if (current !== undefined && !(Number.isInteger(current) && (current as number) >= 1)) {
      throw new DeploymentsError(
        `${file}: ${stage}.current must be a model package version, got ${JSON.stringify(current)}`,
      );
    }
    if (
      !Array.isArray(history) ||
      history.some((record) => !Number.isInteger((record as DeploymentRecord)?.version))
    ) {
      throw new DeploymentsError(`${file}: ${stage}.history must list records with a version`);
    }
  }
  return parsed as Deployments;
}

/** The deployments with `stage` now serving `record.version`: the new current version, one more history entry. */
export function withDeployment(
  deployments: Deployments,
  stage: string,
  record: DeploymentRecord,
): Deployments {
  const previous = deployments[stage]?.history ?? [];
  return { ...deployments, [stage]: { current: record.version, history: [...previous, record] } };
}

/** Writes a deployments file whole, then renames it into place, so a failed write never leaves half a file. */
export function writeDeployments(file: string, deployments: Deployments): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(deployments, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The version recorded for a stage, for its config in stages.ts; none until the first deploy. */
export function recordedVersion(
  stage: string,
  deployments: Deployments = readDeployments(),
): { modelPackageVersion?: number } {
  const current = deployments[stage]?.current;
  return current === undefined ? {} : { modelPackageVersion: current };
}
