import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { writeFileSync } from 'node:fs';
import { ManifestError } from '../container/model-manifest';
import { packageModel, projectVersion } from '../container/package-model';
import { ApiKeysError, generateApiKey } from '../src/access/api-keys';
import { DEPLOYMENTS_FILE, DeploymentsError } from '../cdktf/deployments';
import { StageConfigError } from '../cdktf/stage-config';
import { deploy, SYNTH_DIR } from './deploy';
import { evaluateModel } from './evaluate';
import type { StageRegistry } from './registry';
import { approve, describeVersions, register, RegistryError, stageRegistry } from './registry';
import type { TransformContentType } from './transform';
import { TRANSFORM_CONTENT_TYPES, transform } from './transform';
import { progressBar } from './progress';
import { remoteTransform, TRANSFORM_INSTANCE_TYPE } from './remote-transform';

/** The work failed (exit 1), with a message that says what to change. */
export class WorkFailed extends Error {
  override readonly name = 'WorkFailed';
}

/**
 * The `calculator` command: the operator's tool (`npx calculator <command>`, or
 * `npm run calculator -- <command>`). Exit codes: 0 done, 1 the work failed, 2 a usage error.
 */
export function calculatorProgram(output: {
  out: (text: string) => void;
  err: (text: string) => void;
}): Command {
  const program = new Command('calculator')
    .description(
      'Ship and operate the calculator: package, evaluate, register, approve, deploy and roll back a model version, run batch transforms, and make API keys.',
    )
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError();

  program
    .command('package')
    .description(
      'Write the model artifact: model.tar.gz holding model.json (name, version, operations, defaults, engine version, checksum), byte-identical for the same input.',
    )
    .option('--out <file>', 'where to write it', 'model.tar.gz')
    .option('--manifest <file>', 'a model.json to package (default: every operation, degrees)')
    .option('--json', 'print {"path","manifest"} as one JSON object')
    .action(async (options: { out: string; manifest?: string; json?: boolean }) => {
      let packaged;
      try {
        packaged = await packageModel({
          out: options.out,
          version: projectVersion(),
          ...(options.manifest ? { manifestPath: options.manifest } : {}),
        });
      } catch (error) {
        if (error instanceof ManifestError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new WorkFailed((error as Error).message);
        }
        throw error;
      }
      const { path, manifest } = packaged;
      output.out(
        options.json
          ? `${JSON.stringify({ path, manifest })}\n`
          : `wrote ${path}: ${manifest.name}@${manifest.version}, ${manifest.operations.length} operations, ${manifest.checksum}\n`,
      );
    });

  program
    .command('evaluate')
    .description(
      "Run the golden set (evaluation/golden-set.jsonl) through the real container serving a model artifact, in every content type, and write SageMaker's model-quality statistics. Exits 1 below the threshold, naming what failed.",
    )
    .requiredOption('--model <file>', 'the model.tar.gz to evaluate')
    .option('--threshold <accuracy>', 'the accuracy it must reach, 0 to 1', fraction, 1)
    .option('--report <file>', 'where to write the report (JSON)', 'evaluation.json')
    .option('--json', 'print the report as one JSON object')
    .action(async (options: { model: string; threshold: number; report: string; json?: boolean }) => {
      const bar = progressBar('evaluate');
      let report;
      try {
        report = await evaluateModel({
          model: options.model,
          threshold: options.threshold,
          onProgress: (done, total) => bar.update(done, total),
        });
      } catch (error) {
        if (error instanceof ManifestError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new WorkFailed((error as Error).message);
        }
        throw error;
      } finally {
        bar.end();
      }
      writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
      const { calculator } = report;
      const accuracy = report.multiclass_classification_metrics.accuracy.value;
      if (options.json) output.out(`${JSON.stringify(report)}\n`);
      else {
        output.out(
          `${calculator.model.name}@${calculator.model.version}: accuracy ${(accuracy * 100).toFixed(2)} % of ${report.dataset.item_count.toLocaleString('en-US')} cases ` +
            `(${Object.keys(calculator.content_types).length} content types), invocation p50 ${calculator.latency_ms.p50} ms, p95 ${calculator.latency_ms.p95} ms; report: ${options.report}\n`,
        );
      }
      if (!calculator.passed) {
        throw new WorkFailed(
          [
            `accuracy ${(accuracy * 100).toFixed(2)} % is below the threshold ${(options.threshold * 100).toFixed(2)} %:`,
            ...calculator.findings.map((line) => `- ${line}`),
          ].join('\n'),
        );
      }
    });

  program
    .command('transform')
    .description(
      'Batch transform as SageMaker runs it, on this machine: split by line, MultiRecord payloads up to MaxPayloadInMB, MaxConcurrentTransforms at once, each failed payload retried; writes DIR/<input name>.out, one output line per input line, in order. With --remote --stage, a SageMaker transform job on S3 with the same settings and the model the stage serves, followed until it ends.',
    )
    .requiredOption(
      '--input <path>',
      'a file, or a folder whose files are all transformed (an s3:// URI with --remote)',
    )
    .requiredOption('--output <dir>', 'where the .out files go (an s3:// URI with --remote)')
    .option(
      '--content-type <type>',
      `one of ${TRANSFORM_CONTENT_TYPES.join(', ')}`,
      contentType,
      'application/jsonlines',
    )
    .option('--endpoint-url <url>', 'a running container (default: start one, a worker per CPU)')
    .option('--max-payload-mb <n>', "payload size (default: the container's MaxPayloadInMB)", positiveInteger)
    .option(
      '--max-concurrent <n>',
      "payloads at once (default: the container's MaxConcurrentTransforms)",
      positiveInteger,
    )
    .option(
      '--remote',
      "run it as a SageMaker transform job (CreateTransformJob) with the stage's current model",
    )
    .option('--stage <stage>', 'with --remote: the stage whose endpoint model, bucket and key the job uses')
    .option(
      '--bucket <name>',
      "with --remote: the stage's artifact bucket, if not calculator-<stage>-artifacts-<account>",
    )
    .option('--instance-type <type>', 'with --remote: the transform instances', TRANSFORM_INSTANCE_TYPE)
    .option('--instance-count <n>', 'with --remote: how many', positiveInteger, 1)
    .option(
      '--wait-minutes <n>',
      'with --remote: how long to follow the job before leaving it running',
      positiveInteger,
      180,
    )
    .option('--json', 'print the summary as one JSON object')
    .action(
      async (options: {
        input: string;
        output: string;
        contentType: TransformContentType;
        endpointUrl?: string;
        maxPayloadMb?: number;
        maxConcurrent?: number;
        remote?: boolean;
        stage?: string;
        bucket?: string;
        instanceType: string;
        instanceCount: number;
        waitMinutes: number;
        json?: boolean;
      }) => {
        if (options.remote) {
          await remoteTransformAction({ ...options, stage: options.stage ?? '' });
          return;
        }
        if (options.stage || options.bucket) {
          throw usageError('error: --stage and --bucket go with --remote (a SageMaker transform job)\n');
        }
        const bar = progressBar('transform');
        let summary;
        try {
          summary = await transform({
            input: options.input,
            outputDir: options.output,
            contentType: options.contentType,
            ...(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {}),
            ...(options.maxPayloadMb ? { maxPayloadMb: options.maxPayloadMb } : {}),
            ...(options.maxConcurrent ? { maxConcurrent: options.maxConcurrent } : {}),
            // The total is unknown while streaming: the bar shows counts and rate.
            onProgress: (records) => bar.update(records, Math.max(records, 1)),
          });
        } catch (error) {
          throw new WorkFailed(`transform failed: ${(error as Error).message}`);
        } finally {
          bar.end();
        }
        if (options.json) {
          output.out(`${JSON.stringify(summary)}\n`);
          return;
        }
        const failed = Object.values(summary.failedByCode).reduce((sum, count) => sum + count, 0);
        const codes = Object.entries(summary.failedByCode)
          .map(([code, count]) => `${code} ${count.toLocaleString('en-US')}`)
          .join(', ');
        output.out(
          `${summary.records.toLocaleString('en-US')} records in ${summary.files.length} file(s), ${failed.toLocaleString('en-US')} failed${codes ? ` (${codes})` : ''}, ` +
            `${summary.seconds.toFixed(1)} s, ${Math.round(summary.recordsPerSecond).toLocaleString('en-US')} records/s; ${summary.payloads} payloads, ${summary.retries} retries; output in ${options.output}\n`,
        );
      },
    );

  /** `transform --remote`: a SageMaker transform job, followed until it ends; exit 1 unless it completed. */
  const remoteTransformAction = async (options: {
    input: string;
    output: string;
    contentType: TransformContentType;
    maxPayloadMb?: number;
    maxConcurrent?: number;
    stage: string;
    bucket?: string;
    instanceType: string;
    instanceCount: number;
    waitMinutes: number;
    endpointUrl?: string;
    json?: boolean;
  }) => {
    if (!options.stage) {
      throw usageError('error: --remote needs --stage STAGE (whose model, bucket and key the job uses)\n');
    }
    if (options.endpointUrl) {
      throw usageError('error: --endpoint-url is for a local transform, not with --remote\n');
    }
    const result = await withRegistry(options, (registry) =>
      remoteTransform(registry, {
        input: options.input,
        output: options.output,
        contentType: options.contentType,
        ...(options.maxPayloadMb ? { maxPayloadMb: options.maxPayloadMb } : {}),
        ...(options.maxConcurrent ? { maxConcurrent: options.maxConcurrent } : {}),
        instanceType: options.instanceType,
        instanceCount: options.instanceCount,
        waitMinutes: options.waitMinutes,
        onStatus: (status, seconds) =>
          output.err(`calculator: transform job ${status} after ${Math.round(seconds)} s\n`),
      }),
    );
    if (options.json) output.out(`${JSON.stringify(result)}\n`);
    else {
      output.out(
        `${result.jobName}: ${result.status} in ${Math.round(result.seconds)} s with model ${result.modelName}; output in ${result.output}\n`,
      );
    }
    if (result.status !== 'Completed') {
      throw new WorkFailed(
        `${result.jobName} ${result.status}: ${result.failureReason ?? 'no reason given'}`,
      );
    }
  };

  /** Runs `work` against a stage's registry, closing its clients; a RegistryError is the work failing. */
  const withRegistry = async <T>(
    options: { stage: string; bucket?: string; group?: string },
    work: (registry: StageRegistry) => Promise<T>,
  ): Promise<T> => {
    let registry: StageRegistry | undefined;
    try {
      registry = await stageRegistry({
        stage: options.stage,
        ...(options.bucket ? { bucket: options.bucket } : {}),
        ...(options.group ? { group: options.group } : {}),
        ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
        endpointOverride: Boolean(process.env.AWS_ENDPOINT_URL),
      });
      return await work(registry);
    } catch (error) {
      if (
        error instanceof RegistryError ||
        error instanceof StageConfigError ||
        error instanceof DeploymentsError
      ) {
        throw new WorkFailed(error.message);
      }
      const name = (error as Error).name;
      // An AWS answer (access denied, no such bucket or group): the work failed, for a reason AWS gives.
      if ((error as { $metadata?: unknown }).$metadata !== undefined || name === 'CredentialsProviderError') {
        throw new WorkFailed(`${name}: ${(error as Error).message}`);
      }
      throw error;
    } finally {
      registry?.clients.destroy();
    }
  };
  const registryOptions = (command: Command) =>
    command
      .requiredOption('--stage <stage>', 'the stage in cdktf/stages.ts (its bucket and model package group)')
      .option(
        '--bucket <name>',
        "the artifact bucket (default: the stage's, calculator-<stage>-artifacts-<account>)",
      )
      .option('--group <name>', "the model package group (default: the stage's, calculator-<stage>)")
      .option('--json', 'print the result as one JSON object');

  registryOptions(
    program
      .command('register')
      .description(
        'Register an evaluated artifact: upload it and its evaluation under models/<version>/ in the stage bucket, and create a model package (PendingManualApproval) with the evaluation as its model-quality statistics. Refuses a missing or failing evaluation.',
      )
      .requiredOption('--model <file>', 'the model.tar.gz')
      .requiredOption('--evaluation <file>', 'its evaluation.json (calculator evaluate)'),
  ).action(
    async (options: {
      model: string;
      evaluation: string;
      stage: string;
      bucket?: string;
      group?: string;
      json?: boolean;
    }) => {
      const registered = await withRegistry(options, (registry) => register(registry, options));
      output.out(
        options.json
          ? `${JSON.stringify(registered)}\n`
          : `registered version ${registered.version} (model ${registered.modelVersion}, accuracy ${(registered.accuracy * 100).toFixed(2)} %): ${registered.arn}\n` +
              `  pending approval: calculator approve --stage ${options.stage} --version ${registered.version}\n`,
      );
    },
  );

  registryOptions(
    program
      .command('approve')
      .description(
        'Approve a registered version (or reject it, with --reject --reason); only an approved version can be deployed.',
      )
      .requiredOption('--version <n>', 'the model package version', positiveInteger)
      .option('--reject', 'reject it instead')
      .option('--reason <text>', 'why (recorded as its approval description)'),
  ).action(
    async (options: {
      version: number;
      reject?: boolean;
      reason?: string;
      stage: string;
      bucket?: string;
      group?: string;
      json?: boolean;
    }) => {
      if (options.reject && !options.reason) {
        throw usageError('error: --reject needs --reason TEXT (why it is rejected)\n');
      }
      const updated = await withRegistry(options, (registry) =>
        approve(registry, {
          version: options.version,
          reject: Boolean(options.reject),
          ...(options.reason ? { reason: options.reason } : {}),
        }),
      );
      output.out(
        options.json
          ? `${JSON.stringify(updated)}\n`
          : `version ${updated.version} is ${updated.status}: ${updated.arn}\n`,
      );
    },
  );

  registryOptions(
    program
      .command('versions')
      .description("List the stage's versions: status, accuracy, model version, date."),
  ).action(async (options: { stage: string; bucket?: string; group?: string; json?: boolean }) => {
    const versions = await withRegistry(options, (registry) => describeVersions(registry));
    if (options.json) {
      output.out(`${JSON.stringify(versions)}\n`);
      return;
    }
    const rows = versions.map((entry) =>
      [
        String(entry.version).padStart(7),
        entry.status.padEnd(22),
        (entry.accuracy === undefined ? '–' : `${(entry.accuracy * 100).toFixed(2)} %`).padStart(8),
        (entry.modelVersion ?? '–').padEnd(12),
        entry.created,
      ].join('  '),
    );
    output.out(
      [
        `${'version'.padStart(7)}  ${'status'.padEnd(22)}  ${'accuracy'.padStart(8)}  ${'model'.padEnd(12)}  created`,
        ...rows,
        '',
      ].join('\n'),
    );
  });

  const deployOptions = (command: Command) =>
    command
      .requiredOption('--stage <stage>', 'the stage in cdktf/stages.ts')
      .option(
        '--apply',
        'run terraform init and apply on the synthesized stage (terraform or tofu on the PATH)',
      )
      .option('--deployments <file>', 'the deployments record', DEPLOYMENTS_FILE)
      .option('--out <dir>', 'where to synthesize (as npm run synth)', SYNTH_DIR)
      .option('--json', 'print the result as one JSON object');
  const deployAction =
    (rollback: boolean) =>
    async (options: {
      stage: string;
      version?: number;
      apply?: boolean;
      deployments: string;
      out: string;
      json?: boolean;
    }) => {
      const done = await withRegistry(options, (registry) =>
        deploy(registry, {
          ...(options.version ? { version: options.version } : {}),
          rollback,
          apply: Boolean(options.apply),
          deploymentsFile: options.deployments,
          outDir: options.out,
          log: (line) => output.err(`calculator: ${line}\n`),
          searchPath: process.env.PATH ?? '',
        }),
      );
      if (options.json) {
        output.out(`${JSON.stringify(done)}\n`);
        return;
      }
      const from = done.previous === undefined ? '' : ` (was ${done.previous})`;
      output.out(
        [
          `${done.stage} ${done.action === 'rollback' ? 'rolls back to' : 'serves'} version ${done.version}${done.modelVersion ? ` (model ${done.modelVersion})` : ''}${from}: recorded in ${done.deploymentsFile}, synthesized to ${done.stackDir}`,
          done.applied
            ? 'applied: the endpoint shifts to it as the stage rollout says, and its alarms roll it back on trouble'
            : `next, apply it (the endpoint shifts to it as the stage rollout says):\n  ${done.commands.join('\n  ')}`,
          `and commit ${done.deploymentsFile}, so the stage's version is reviewed like any change`,
          '',
        ].join('\n'),
      );
    };
  deployOptions(
    program
      .command('deploy')
      .description(
        "Deploy an Approved version through the infrastructure: refuses a pending or rejected one, records it for the stage in cdktf/deployments.json, synthesizes the stage, and applies it with --apply (else prints the commands). The endpoint updates blue/green with the stage's canary, rolled back by its alarms.",
      )
      .requiredOption('--version <n>', 'the model package version', positiveInteger),
  ).action(deployAction(false));
  deployOptions(
    program
      .command('rollback')
      .description(
        'Deploy the newest Approved version older than the one the stage serves, the same way as deploy.',
      ),
  ).action(deployAction(true));

  const key = program.command('key').description('API keys for API_KEYS (their SHA-256, never the key).');
  key
    .command('create')
    .description(
      'Make a new API key and its API_KEYS entry. The key is shown once: give it to the client; put only the entry in API_KEYS (or the stage secret).',
    )
    .requiredOption('--id <id>', "the client's id, as logs and metrics name it (letters, digits, _ . -)")
    .option(
      '--rate <calculations>',
      'its own quota, calculations per second (default: API_KEY_CALCULATIONS_PER_SECOND)',
      positiveNumber,
    )
    .option('--json', 'print {"id","key","entry"} as one JSON object')
    .action((options: { id: string; rate?: number; json?: boolean }) => {
      let made;
      try {
        made = generateApiKey(options.id, options.rate);
      } catch (error) {
        if (error instanceof ApiKeysError) throw usageError(`error: ${error.message}\n`);
        throw error;
      }
      if (options.json) {
        output.out(`${JSON.stringify({ id: options.id, key: made.key, entry: made.entry })}\n`);
        return;
      }
      output.out(
        [
          `key (give it to ${options.id}; it is not stored anywhere): ${made.key}`,
          `API_KEYS entry (append with a comma to rotate, remove to revoke): ${made.entry}`,
          '',
        ].join('\n'),
      );
    });
  return program;
}

/** A usage error (exit 2) with what to change; `message` ends with a newline. */
function usageError(message: string): CommanderError {
  return new CommanderError(2, 'calculator.usage', message);
}

function fraction(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed >= 0 && parsed <= 1))
    throw new InvalidArgumentError('a number from 0 to 1');
  return parsed;
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('a whole number above 0');
  return Number(value);
}

function contentType(value: string): TransformContentType {
  if (!(TRANSFORM_CONTENT_TYPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${TRANSFORM_CONTENT_TYPES.join(', ')}`);
  }
  return value as TransformContentType;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(parsed > 0)) throw new InvalidArgumentError('a number above 0');
  return parsed;
}

/** Runs the command line; resolves with the exit code. */
export async function runCalculator(argv: readonly string[]): Promise<number> {
  const program = calculatorProgram({
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'calculator.usage') process.stderr.write(error.message);
      // --help and --version exit 0; every other parse error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof WorkFailed) {
      process.stderr.write(`calculator: ${error.message}\n`);
      return 1;
    }
    // A bug, not the work: said as such, with its stack.
    process.stderr.write(`calculator: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runCalculator(process.argv.slice(2)).then((code) => process.exit(code));
}
