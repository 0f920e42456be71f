import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ModelPackageSummary } from '@aws-sdk/client-sagemaker';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { STAGES } from '../cdktf/stages';
import type { StageConfig } from '../cdktf/stage-config';
import { MANIFEST_FILE_NAME, parseModelManifest } from '../container/model-manifest';
import type { EvaluationReport } from './evaluate';
import { EVALUATION_CONTENT_TYPES } from './evaluate';

/** A registry command could not do its work (exit 1); the message says what to change. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Where a stage's versions live; each part overridable (`--bucket`, `--group`). */
export interface StageRegistry {
  readonly stage: StageConfig;
  readonly region: string;
  readonly bucket: string;
  readonly group: string;
  readonly account: string;
  readonly clients: AwsClients;
}

/** The SDK clients, as the standard AWS environment configures them (AWS_ENDPOINT_URL, AWS_PROFILE, …). */
export interface AwsClients {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly sts: STSClient;
  readonly destroy: () => void;
}

/**
 * Clients in `region`. With an endpoint override (`AWS_ENDPOINT_URL`, as for an emulator), S3 is addressed
 * by path: a bucket name is not a host name there.
 */
export function awsClients(region: string, endpointOverride: boolean): AwsClients {
  const s3 = new S3Client({ region, ...(endpointOverride ? { forcePathStyle: true } : {}) });
  const sagemaker = new SageMakerClient({ region });
  const sts = new STSClient({ region });
  return {
    s3,
    sagemaker,
    sts,
    destroy() {
      s3.destroy();
      sagemaker.destroy();
      sts.destroy();
    },
  };
}

/** Resolves a stage's registry: its bucket and model package group, by the names the infrastructure gives them. */
export async function stageRegistry(options: {
  readonly stage: string;
  readonly bucket?: string;
  readonly group?: string;
  readonly region?: string;
  readonly endpointOverride: boolean;
}): Promise<StageRegistry> {
  const stage = STAGES[options.stage];
  if (!stage) {
    throw new RegistryError(
      `no stage ${JSON.stringify(options.stage)} in cdktf/stages.ts; stages: ${Object.keys(STAGES).join(', ')}`,
    );
  }
  const region = options.region ?? stage.region;
  const clients = awsClients(region, options.endpointOverride);
  let account: string;
  try {
    account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } catch (error) {
    clients.destroy();
    throw new RegistryError(
      `cannot tell which AWS account this is (sts:GetCallerIdentity): ${(error as Error).message}`,
    );
  }
  return {
    stage,
    region,
    account,
    bucket: options.bucket ?? `calculator-${stage.stage}-artifacts-${account}`,
    group: options.group ?? `calculator-${stage.stage}`,
    clients,
  };
}

/** The manifest inside an artifact. */
function manifestOf(model: string) {
  const dir = mkdtempSync(join(tmpdir(), 'calculator-register-'));
  try {
    extract({ file: model, cwd: dir, sync: true });
    return parseModelManifest(
      JSON.parse(readFileSync(join(dir, MANIFEST_FILE_NAME), 'utf8')),
      `${model}:${MANIFEST_FILE_NAME}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function upload(
  registry: StageRegistry,
  key: string,
  file: string,
  contentType: string,
): Promise<string> {
  // Multipart for large files (lib-storage splits past 5 MB); the bucket's default encryption (the
  // stage's KMS key) applies to every part.
  await new Upload({
    client: registry.clients.s3,
    params: { Bucket: registry.bucket, Key: key, Body: createReadStream(file), ContentType: contentType },
  }).done();
  return `s3://${registry.bucket}/${key}`;
}

/** What `register` made. */
export interface Registered {
  readonly version: number;
  readonly modelVersion: string;
  readonly arn: string;
  readonly artifact: string;
  readonly evaluation: string;
  readonly accuracy: number;
}

/**
 * Registers an evaluated artifact: refuses a missing or failing evaluation, uploads artifact and report
 * under `models/<model version>/`, and creates a model package in the stage's group with the stage's
 * container image, the content types, the evaluation as `ModelMetrics.ModelQuality.Statistics`, and
 * status PendingManualApproval.
 */
export async function register(
  registry: StageRegistry,
  options: { readonly model: string; readonly evaluation: string },
): Promise<Registered> {
  let report: EvaluationReport;
  try {
    report = JSON.parse(readFileSync(options.evaluation, 'utf8')) as EvaluationReport;
  } catch (error) {
    throw new RegistryError(
      `no evaluation to register with (${(error as Error).message}); run calculator evaluate --model ${options.model} first`,
    );
  }
  const manifest = manifestOf(options.model);
  const accuracy = report.multiclass_classification_metrics?.accuracy?.value;
  if (typeof accuracy !== 'number' || report.calculator === undefined) {
    throw new RegistryError(`${options.evaluation} is not a calculator evaluation report`);
  }
  if (!report.calculator.passed) {
    throw new RegistryError(
      `the evaluation failed (accuracy ${(accuracy * 100).toFixed(2)} % below ${(report.calculator.threshold * 100).toFixed(2)} %): ${report.calculator.findings[0] ?? ''}`,
    );
  }
  if (
    report.calculator.model.name !== manifest.name ||
    report.calculator.model.version !== manifest.version
  ) {
    throw new RegistryError(
      `${options.evaluation} evaluated ${report.calculator.model.name}@${report.calculator.model.version}, not this artifact's ${manifest.name}@${manifest.version}`,
    );
  }
  const prefix = `models/${manifest.version}`;
  const artifact = await upload(registry, `${prefix}/model.tar.gz`, options.model, 'application/gzip');
  const evaluation = await upload(
    registry,
    `${prefix}/evaluation.json`,
    options.evaluation,
    'application/json',
  );
  const image = `${registry.account}.dkr.ecr.${registry.region}.amazonaws.com/calculator-${registry.stage.stage}-container:${registry.stage.images.containerTag}`;
  const created = await registry.clients.sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: registry.group,
      ModelPackageDescription: `${manifest.name}@${manifest.version}, ${manifest.operations.length} operations, accuracy ${accuracy}`,
      InferenceSpecification: {
        Containers: [{ Image: image, ModelDataUrl: artifact }],
        SupportedContentTypes: [...EVALUATION_CONTENT_TYPES],
        SupportedResponseMIMETypes: [...EVALUATION_CONTENT_TYPES],
        SupportedTransformInstanceTypes: ['ml.m5.large'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium', 'ml.c6i.large'],
      },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluation } } },
      ModelApprovalStatus: 'PendingManualApproval',
      CustomerMetadataProperties: {
        model_version: manifest.version,
        accuracy: String(accuracy),
        checksum: manifest.checksum ?? '',
      },
    }),
  );
  const arn = created.ModelPackageArn ?? '';
  const described = await registry.clients.sagemaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: arn }),
  );
  return {
    version: described.ModelPackageVersion ?? 0,
    modelVersion: manifest.version,
    arn,
    artifact,
    evaluation,
    accuracy,
  };
}

/** Every version of the stage's group, oldest first. */
export async function listVersions(registry: StageRegistry): Promise<ModelPackageSummary[]> {
  const found: ModelPackageSummary[] = [];
  let token: string | undefined;
  do {
    const page = await registry.clients.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: registry.group,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        MaxResults: 100,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    found.push(...(page.ModelPackageSummaryList ?? []));
    token = page.NextToken;
  } while (token);
  return found;
}

/** One version of the stage's group, with what `versions` shows of it. */
export interface VersionInfo {
  readonly version: number;
  readonly arn: string;
  readonly status: string;
  readonly accuracy: number | undefined;
  readonly modelVersion: string | undefined;
  readonly created: string;
}

/** A version's accuracy, from its model-quality statistics (the evaluation report it was registered with). */
async function accuracyOf(registry: StageRegistry, uri: string | undefined): Promise<number | undefined> {
  const match = uri ? /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) : null;
  if (!match) return undefined;
  try {
    const object = await registry.clients.s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
    const report = JSON.parse(await object.Body!.transformToString()) as EvaluationReport;
    return report.multiclass_classification_metrics.accuracy.value;
  } catch {
    return undefined;
  }
}

export async function describeVersions(registry: StageRegistry): Promise<VersionInfo[]> {
  const summaries = await listVersions(registry);
  return Promise.all(
    summaries.map(async (summary) => {
      const described = await registry.clients.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }),
      );
      const artifact = described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl ?? '';
      return {
        version: summary.ModelPackageVersion ?? 0,
        arn: summary.ModelPackageArn ?? '',
        status: summary.ModelApprovalStatus ?? 'Unknown',
        accuracy: await accuracyOf(registry, described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri),
        modelVersion:
          described.CustomerMetadataProperties?.['model_version'] ??
          /\/models\/([^/]+)\/model\.tar\.gz$/.exec(artifact)?.[1],
        created: summary.CreationTime?.toISOString() ?? '',
      };
    }),
  );
}

/** Sets a version's approval status (Approved, or Rejected with a reason). */
export async function approve(
  registry: StageRegistry,
  options: { readonly version: number; readonly reject: boolean; readonly reason?: string },
): Promise<VersionInfo> {
  const versions = await describeVersions(registry);
  const target = versions.find((entry) => entry.version === options.version);
  if (!target) {
    throw new RegistryError(
      `${registry.group} has no version ${options.version}; it has ${versions.map((entry) => entry.version).join(', ') || 'none'} (calculator versions --stage ${registry.stage.stage})`,
    );
  }
  const status = options.reject ? 'Rejected' : 'Approved';
  await registry.clients.sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: target.arn,
      ModelApprovalStatus: status,
      ...(options.reason ? { ApprovalDescription: options.reason } : {}),
    }),
  );
  return { ...target, status };
}
