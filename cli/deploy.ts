import { App } from 'cdktn';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';
import { APP_CONTEXT } from '../cdktf/app-context';
import { CalculatorStack } from '../cdktf/calculator-stack';
import type { DeploymentRecord } from '../cdktf/deployments';
import type { Deployments } from '../cdktf/deployments';
import { DEPLOYMENTS_FILE, readDeployments, withDeployment, writeDeployments } from '../cdktf/deployments';
import type { StageRegistry, VersionInfo } from './registry';
import { describeVersions, RegistryError } from './registry';

/** Where `npm run synth` writes (its cdktf.json's output, in cdktf/). */
export const SYNTH_DIR = join(dirname(DEPLOYMENTS_FILE), 'cdktf.out');

/** How long an applied deploy may take: a canary's baking wait, the old fleet's, and instance start-up. */
const APPLY_TIMEOUT_MS = 3 * 60 * 60 * 1000;

/** What `deploy` or `rollback` did. */
export interface Deployed {
  readonly stage: string;
  readonly version: number;
  readonly previous: number | undefined;
  readonly modelVersion: string | undefined;
  readonly action: DeploymentRecord['action'];
  readonly deploymentsFile: string;
  readonly stackDir: string;
  /** The commands that apply it (run with --apply, or printed for the operator). */
  readonly commands: readonly string[];
  readonly applied: boolean;
}

/** The version, if it is Approved; otherwise the work fails with its status and what to do. */
function approvedVersion(
  registry: StageRegistry,
  versions: readonly VersionInfo[],
  version: number,
): VersionInfo {
  const found = versions.find((entry) => entry.version === version);
  const stage = registry.stage.stage;
  if (!found) {
    throw new RegistryError(
      `${registry.group} has no version ${version}; it has ${versions.map((entry) => entry.version).join(', ') || 'none'} (calculator versions --stage ${stage})`,
    );
  }
  if (found.status !== 'Approved') {
    const next =
      found.status === 'Rejected'
        ? 'a rejected version is never deployed; register a fixed one'
        : `approve it first: calculator approve --stage ${stage} --version ${version}`;
    throw new RegistryError(
      `version ${version} of ${registry.group} is ${found.status}, not Approved; ${next}`,
    );
  }
  return found;
}

/**
 * The version a rollback goes to: the newest Approved version older than the one the stage serves
 * (a version rejected since it was deployed is passed over).
 */
export function rollbackTarget(
  registry: StageRegistry,
  versions: readonly VersionInfo[],
  current: number,
): VersionInfo {
  const candidates = versions
    .filter((entry) => entry.status === 'Approved' && entry.version < current)
    .sort((a, b) => b.version - a.version);
  if (candidates.length === 0) {
    throw new RegistryError(
      `no Approved version of ${registry.group} older than ${current} to roll back to (calculator versions --stage ${registry.stage.stage})`,
    );
  }
  return candidates[0]!;
}

/** Writes the stage's Terraform, serving the version `deployments` records for it; returns the stack's folder. */
export function synthStage(registry: StageRegistry, deployments: Deployments, outDir: string): string {
  const app = new App({ outdir: outDir, context: { ...APP_CONTEXT } });
  const current = deployments[registry.stage.stage]?.current;
  const id = `calculator-${registry.stage.stage}`;
  new CalculatorStack(
    app,
    id,
    { ...registry.stage, ...(current ? { modelPackageVersion: current } : {}) },
    deployments,
  );
  app.synth();
  return join(outDir, 'stacks', id);
}

/** Terraform (or OpenTofu) on the PATH, if there is one. */
export function terraformOnPath(path: string): string | undefined {
  for (const name of ['terraform', 'tofu']) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/**
 * Deploys an Approved version through the infrastructure: records it for the stage in the deployments
 * file (a reviewable change), synthesizes the stage, and applies it when asked and Terraform is at hand.
 */
export async function deploy(
  registry: StageRegistry,
  options: {
    readonly version?: number;
    readonly rollback?: boolean;
    readonly apply: boolean;
    readonly deploymentsFile?: string;
    readonly outDir?: string;
    readonly log?: (line: string) => void;
    /** The PATH searched for terraform (or tofu). */
    readonly searchPath?: string;
  },
): Promise<Deployed> {
  const deploymentsFile = options.deploymentsFile ?? DEPLOYMENTS_FILE;
  const outDir = options.outDir ?? SYNTH_DIR;
  const stage = registry.stage.stage;
  const recorded = readDeployments(deploymentsFile);
  const previous = recorded[stage]?.current;
  const versions = await describeVersions(registry);
  let target: VersionInfo;
  if (options.rollback) {
    if (previous === undefined) {
      throw new RegistryError(`${stage} serves no version yet (${deploymentsFile}); nothing to roll back`);
    }
    target = rollbackTarget(registry, versions, previous);
  } else {
    target = approvedVersion(registry, versions, options.version!);
  }
  const action = options.rollback ? 'rollback' : 'deploy';
  const next = withDeployment(recorded, stage, {
    version: target.version,
    ...(target.modelVersion ? { modelVersion: target.modelVersion } : {}),
    action,
    at: new Date().toISOString(),
  });
  // Synthesized first: a stage that cannot be synthesized records nothing.
  const stackDir = synthStage(registry, next, outDir);
  writeDeployments(deploymentsFile, next);
  // Relative to where the operator stands when the stack is below it; absolute otherwise.
  const inside = relative(process.cwd(), stackDir);
  const shown = inside.startsWith('..') || isAbsolute(inside) ? stackDir : inside || '.';
  const commands = [`terraform -chdir=${shown} init -input=false`, `terraform -chdir=${shown} apply`];
  let applied = false;
  if (options.apply) {
    const terraform = terraformOnPath(options.searchPath ?? '');
    if (!terraform) {
      throw new RegistryError(
        `version ${target.version} is recorded and synthesized, but neither terraform nor tofu is on the PATH to apply it; install Terraform (or OpenTofu) 1.10 or later, or run:\n  ${commands.join('\n  ')}`,
      );
    }
    for (const args of [
      ['init', '-input=false'],
      // apply asks the operator to approve its plan (-input=false would refuse it unasked).
      ['apply'],
    ]) {
      options.log?.(`${terraform} -chdir=${shown} ${args.join(' ')}`);
      // The operator reads the plan and answers apply's confirmation; the progress is Terraform's own.
      const run = spawnSync(terraform, [`-chdir=${stackDir}`, ...args], {
        stdio: 'inherit',
        timeout: APPLY_TIMEOUT_MS,
      });
      if (run.status !== 0) {
        throw new RegistryError(
          `terraform ${args[0]} failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}); ${deploymentsFile} records version ${target.version}: fix and run the command again, or put the file back to undo`,
        );
      }
    }
    applied = true;
  }
  return {
    stage,
    version: target.version,
    previous,
    modelVersion: target.modelVersion,
    action,
    deploymentsFile,
    stackDir,
    commands,
    applied,
  };
}
