import type { DescribeTransformJobCommandOutput, TransformInstanceType } from '@aws-sdk/client-sagemaker';
import {
  CreateTransformJobCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointNameOf } from '../cdktf/inference-endpoint';
import type { StageRegistry } from './registry';
import { RegistryError } from './registry';
import type { TransformContentType } from './transform';

/** Where a stage's transform jobs read and write: the only S3 prefix its execution role may use for them. */
export const TRANSFORM_PREFIX = 'transform/';

/** The instance type `register` lists as the package's SupportedTransformInstanceTypes. */
export const TRANSFORM_INSTANCE_TYPE = 'ml.m5.large';

const FINISHED = new Set(['Completed', 'Failed', 'Stopped']);

/** What a remote transform job came to. */
export interface RemoteTransformResult {
  readonly jobName: string;
  readonly jobArn: string;
  readonly modelName: string;
  readonly status: string;
  readonly failureReason: string | undefined;
  readonly input: string;
  readonly output: string;
  readonly seconds: number;
}

/** The model the stage's endpoint serves now (endpoint → endpoint configuration → its variant's model). */
async function currentModel(registry: StageRegistry): Promise<string> {
  const endpointName = endpointNameOf(registry.stage);
  const { sagemaker } = registry.clients;
  try {
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
    );
    const model = config.ProductionVariants?.[0]?.ModelName;
    if (model) return model;
  } catch (error) {
    if ((error as Error).name !== 'ValidationException' && (error as Error).name !== 'ResourceNotFound')
      throw error;
  }
  throw new RegistryError(
    `${endpointName} serves no model yet, so there is no current model to transform with: calculator deploy --stage ${registry.stage.stage} --version N first`,
  );
}

/** Checks an S3 URI is under the stage bucket's transform/ prefix, the only place its role reads and writes. */
function transformUri(registry: StageRegistry, uri: string, flag: string): string {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match || match[1] !== registry.bucket || !match[2]!.startsWith(TRANSFORM_PREFIX)) {
    throw new RegistryError(
      `${flag} must be an S3 URI under s3://${registry.bucket}/${TRANSFORM_PREFIX} (the prefix the stage's execution role reads and writes), got ${JSON.stringify(uri)}`,
    );
  }
  return uri;
}

/**
 * Runs a SageMaker batch transform job with the settings of the local one (SplitType Line, MultiRecord,
 * AssembleWith Line, the content type as Accept) on the model the stage's endpoint serves, and follows it
 * until it ends. Without --max-payload-mb / --max-concurrent, SageMaker asks the container
 * (`GET /execution-parameters`), as the local transform does.
 */
export async function remoteTransform(
  registry: StageRegistry,
  options: {
    readonly input: string;
    readonly output: string;
    readonly contentType: TransformContentType;
    readonly maxPayloadMb?: number;
    readonly maxConcurrent?: number;
    readonly instanceType?: string;
    readonly instanceCount?: number;
    readonly waitMinutes: number;
    readonly pollSeconds?: number;
    readonly onStatus?: (status: string, seconds: number) => void;
  },
): Promise<RemoteTransformResult> {
  const input = transformUri(registry, options.input, '--input');
  const output = transformUri(registry, options.output, '--output');
  const modelName = await currentModel(registry);
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').replace(/\..*$/, '');
  const jobName = `calculator-${registry.stage.stage}-${stamp}-${randomBytes(2).toString('hex')}`;
  const key = `alias/calculator-${registry.stage.stage}`;
  const { sagemaker } = registry.clients;
  const created = await sagemaker.send(
    new CreateTransformJobCommand({
      TransformJobName: jobName,
      ModelName: modelName,
      BatchStrategy: 'MultiRecord',
      ...(options.maxPayloadMb ? { MaxPayloadInMB: options.maxPayloadMb } : {}),
      ...(options.maxConcurrent ? { MaxConcurrentTransforms: options.maxConcurrent } : {}),
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input } },
        ContentType: options.contentType,
        SplitType: 'Line',
        CompressionType: 'None',
      },
      TransformOutput: {
        S3OutputPath: output,
        Accept: options.contentType,
        AssembleWith: 'Line',
        KmsKeyId: key,
      },
      TransformResources: {
        InstanceType: (options.instanceType ?? TRANSFORM_INSTANCE_TYPE) as TransformInstanceType,
        InstanceCount: options.instanceCount ?? 1,
        VolumeKmsKeyId: key,
      },
      Tags: [
        { Key: 'project', Value: 'sagemaker-calculator' },
        { Key: 'stage', Value: registry.stage.stage },
      ],
    }),
  );
  const started = Date.now();
  const deadline = started + options.waitMinutes * 60_000;
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  let job: DescribeTransformJobCommandOutput;
  for (;;) {
    job = await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: jobName }));
    const status = job.TransformJobStatus ?? 'Unknown';
    const seconds = (Date.now() - started) / 1000;
    options.onStatus?.(status, seconds);
    if (FINISHED.has(status)) break;
    if (Date.now() + pollMs > deadline) {
      throw new RegistryError(
        `${jobName} is still ${status} after ${options.waitMinutes} minutes; it goes on in SageMaker: aws sagemaker describe-transform-job --transform-job-name ${jobName}`,
      );
    }
    await sleep(pollMs);
  }
  return {
    jobName,
    jobArn: created.TransformJobArn ?? '',
    modelName,
    status: job.TransformJobStatus ?? 'Unknown',
    failureReason: job.FailureReason || undefined,
    input,
    output,
    seconds: (Date.now() - started) / 1000,
  };
}
