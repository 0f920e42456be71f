import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Deployments } from '../../cdktf/deployments';
import { calculator as runCalculator } from '../harness/calculator-cli';
import type { MotoServer } from '../harness/moto-server';
import { startMoto } from '../harness/moto-server';

// deploy, rollback and transform --remote against moto's server (SageMaker, S3 and STS over HTTP): the
// approval check and the choice of version are shown by what the emulator holds, the record by the
// deployments file, the infrastructure by the synthesized stack, and the job by what moto then holds.

let moto: MotoServer;
let work: string;
let sagemaker: SageMakerClient;
let s3: S3Client;
const ACCOUNT = '123456789012'; // moto's
const BUCKET = `calculator-dev-artifacts-${ACCOUNT}`;

const deploymentsFile = () => join(work, 'deployments.json');
const outDir = () => join(work, 'cdktf.out');
const calculator = (args: string[], env: Record<string, string> = {}) =>
  runCalculator(args, { ...moto.env, ...env });
const deployArgs = (...args: string[]) => [
  ...args,
  '--stage',
  'dev',
  '--deployments',
  deploymentsFile(),
  '--out',
  outDir(),
];
const recorded = (): Deployments => JSON.parse(readFileSync(deploymentsFile(), 'utf8'));
const synthesizedModelPackage = (): string => {
  const stack = JSON.parse(readFileSync(join(outDir(), 'stacks', 'calculator-dev', 'cdk.tf.json'), 'utf8'));
  return Object.values(stack.resource.aws_sagemaker_model as Record<string, any>)[0].primary_container
    .model_package_name;
};

beforeAll(async () => {
  moto = await startMoto();
  work = mkdtempSync(join(tmpdir(), 'calculator-deploy-test-'));
  ({ s3, sagemaker } = moto.clients);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'calculator-dev' }));
  // Versions 1-3 as `calculator register` leaves them, then 1 and 2 approved; 3 stays pending.
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'calculator-dev',
        InferenceSpecification: {
          Containers: [
            {
              Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/calculator-dev-container:1.0.0`,
              ModelDataUrl: `s3://${BUCKET}/models/${version}/model.tar.gz`,
            },
          ],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        ModelApprovalStatus: 'PendingManualApproval',
      }),
    );
  }
  for (const version of [1, 2]) {
    await sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/calculator-dev/${version}`,
        ModelApprovalStatus: 'Approved',
      }),
    );
  }
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('calculator deploy and rollback', () => {
  it('refuses a pending, a rejected and an unknown version, with the status, and records nothing', async () => {
    const pending = await calculator(deployArgs('deploy', '--version', '3'));
    expect(pending.code).toBe(1);
    expect(pending.stderr).toBe(
      'calculator: version 3 of calculator-dev is PendingManualApproval, not Approved; approve it first: calculator approve --stage dev --version 3\n',
    );
    const unknown = await calculator(deployArgs('deploy', '--version', '9'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/calculator-dev has no version 9; it has 1, 2, 3/);
    expect(existsSync(deploymentsFile())).toBe(false);
    expect(existsSync(outDir())).toBe(false);
    // Nothing deployed yet: nothing to roll back.
    const rollback = await calculator(deployArgs('rollback'));
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/dev serves no version yet .*; nothing to roll back/);
  });

  it('records an Approved version, synthesizes the stage serving it, and prints the commands that apply it', async () => {
    const { code, stdout, stderr } = await calculator(deployArgs('deploy', '--version', '1'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(recorded()).toEqual({
      dev: {
        current: 1,
        history: [{ version: 1, modelVersion: '1.0.0', action: 'deploy', at: expect.any(String) }],
      },
    });
    expect(synthesizedModelPackage()).toMatch(/:model-package\/calculator-dev\/1$/);
    const stackDir = join(outDir(), 'stacks', 'calculator-dev');
    expect(stdout).toContain(`dev serves version 1 (model 1.0.0): recorded in ${deploymentsFile()}`);
    expect(stdout).toContain(`terraform -chdir=${stackDir} init -input=false`);
    expect(stdout).toContain(`terraform -chdir=${stackDir} apply`);
    expect(stdout).toContain(`commit ${deploymentsFile()}`);
  });

  it('deploys a version once it is approved, and refuses it again once rejected', async () => {
    await calculator(['approve', '--stage', 'dev', '--version', '3']);
    const deployed = await calculator(deployArgs('deploy', '--version', '3', '--json'));
    expect(deployed.code).toBe(0);
    expect(JSON.parse(deployed.stdout)).toEqual(
      expect.objectContaining({ stage: 'dev', version: 3, previous: 1, action: 'deploy', applied: false }),
    );
    expect(recorded().dev!.current).toBe(3);
    expect(synthesizedModelPackage()).toMatch(/calculator-dev\/3$/);

    await calculator(['approve', '--stage', 'dev', '--version', '2', '--reject', '--reason', 'slow canary']);
    const rejected = await calculator(deployArgs('deploy', '--version', '2'));
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(
      /version 2 of calculator-dev is Rejected, not Approved; a rejected version is never deployed/,
    );
    expect(recorded().dev!.current).toBe(3);
  });

  it('rolls back to the newest Approved version older than the one served, passing over a rejected one', async () => {
    const rolled = await calculator(deployArgs('rollback', '--json'));
    expect(rolled.stderr).toBe('');
    expect(JSON.parse(rolled.stdout)).toEqual(
      expect.objectContaining({ version: 1, previous: 3, action: 'rollback' }),
    );
    expect(recorded().dev!.history.map((entry) => [entry.version, entry.action])).toEqual([
      [1, 'deploy'],
      [3, 'deploy'],
      [1, 'rollback'],
    ]);
    expect(synthesizedModelPackage()).toMatch(/calculator-dev\/1$/);
    const again = await calculator(deployArgs('rollback'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no Approved version of calculator-dev older than 1 to roll back to/);
  });

  it('with --apply, runs terraform init and apply in the synthesized stack', async () => {
    // A stand-in for terraform that logs how it was called (the real one needs AWS).
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(work, 'terraform.log');
    writeFileSync(join(bin, 'terraform'), `#!/bin/sh\necho "$@" >> ${log}\n`);
    chmodSync(join(bin, 'terraform'), 0o755);
    const applied = await calculator(deployArgs('deploy', '--version', '3', '--apply', '--json'), {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    });
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout).applied).toBe(true);
    const stackDir = join(outDir(), 'stacks', 'calculator-dev');
    expect(readFileSync(log, 'utf8')).toBe(
      `-chdir=${stackDir} init -input=false\n-chdir=${stackDir} apply\n`,
    );

    // No terraform at all: recorded and synthesized, and the work is said to be unfinished.
    const without = await calculator(deployArgs('deploy', '--version', '1', '--apply'), {
      PATH: dirname(process.execPath),
    });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(
      /version 1 is recorded and synthesized, but neither terraform nor tofu is on the PATH to apply it; install Terraform \(or OpenTofu\) 1\.10 or later, or run:\n {2}terraform -chdir=.* init -input=false/,
    );
  });
});

describe('calculator transform --remote', () => {
  const transformArgs = (...args: string[]) => [
    'transform',
    '--remote',
    '--stage',
    'dev',
    '--input',
    `s3://${BUCKET}/transform/in/`,
    '--output',
    `s3://${BUCKET}/transform/out/`,
    ...args,
  ];

  it('says when the stage has no endpoint yet, and refuses S3 URIs its role cannot use', async () => {
    const none = await calculator(transformArgs());
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /calculator-dev serves no model yet, so there is no current model to transform with: calculator deploy --stage dev --version N first/,
    );
    const outside = await calculator([
      'transform',
      '--remote',
      '--stage',
      'dev',
      '--input',
      's3://someone-else/in/',
      '--output',
      `s3://${BUCKET}/transform/out/`,
    ]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(
      new RegExp(`--input must be an S3 URI under s3://${BUCKET}/transform/ .*got "s3://someone-else/in/"`),
    );
    const usage = await calculator(['transform', '--remote', '--input', 's3://x/', '--output', 's3://y/']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--remote needs --stage STAGE/);
  });

  it("starts a transform job with the local transform's settings on the model the endpoint serves, and follows it to the end", async () => {
    // The stage's endpoint as the infrastructure leaves it after a deploy.
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'calculator-dev-model-20261201',
        PrimaryContainer: {
          ModelPackageName: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/calculator-dev/3`,
        },
        ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/calculator-dev-sagemaker-execution`,
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'calculator-dev-20261201',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'calculator-dev-model-20261201',
            InstanceType: 'ml.t2.medium',
            InitialInstanceCount: 1,
          },
        ],
      }),
    );
    await sagemaker.send(
      new CreateEndpointCommand({
        EndpointName: 'calculator-dev',
        EndpointConfigName: 'calculator-dev-20261201',
      }),
    );

    const { code, stdout, stderr } = await calculator(
      transformArgs('--content-type', 'text/csv', '--max-payload-mb', '2', '--max-concurrent', '4', '--json'),
    );
    expect(code).toBe(0);
    expect(stderr).toMatch(/calculator: transform job Completed after \d+ s\n/);
    const result = JSON.parse(stdout);
    expect(result).toEqual(
      expect.objectContaining({
        status: 'Completed',
        modelName: 'calculator-dev-model-20261201',
        jobName: expect.stringMatching(/^calculator-dev-\d{14}-[0-9a-f]{4}$/),
      }),
    );
    const jobs = await sagemaker.send(new ListTransformJobsCommand({}));
    expect(jobs.TransformJobSummaries?.map((job) => job.TransformJobName)).toEqual([result.jobName]);
    const job = await sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: result.jobName }));
    expect(job).toEqual(
      expect.objectContaining({
        ModelName: 'calculator-dev-model-20261201',
        BatchStrategy: 'MultiRecord',
        MaxPayloadInMB: 2,
        MaxConcurrentTransforms: 4,
        TransformInput: expect.objectContaining({
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/transform/in/` } },
          ContentType: 'text/csv',
          SplitType: 'Line',
        }),
        TransformOutput: expect.objectContaining({
          S3OutputPath: `s3://${BUCKET}/transform/out/`,
          Accept: 'text/csv',
          AssembleWith: 'Line',
          KmsKeyId: 'alias/calculator-dev',
        }),
        TransformResources: expect.objectContaining({ InstanceType: 'ml.m5.large', InstanceCount: 1 }),
      }),
    );
  });
});
