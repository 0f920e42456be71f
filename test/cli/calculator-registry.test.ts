import type { S3Client } from '@aws-sdk/client-s3';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageGroupCommand, DescribeModelPackageCommand } from '@aws-sdk/client-sagemaker';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPERATION_NAMES } from '../../src/engine';
import type { MotoServer } from '../harness/moto-server';
import { startMoto } from '../harness/moto-server';
import { calculator as runCalculator } from '../harness/calculator-cli';

// register, approve and versions against moto's server (S3, SageMaker and STS over HTTP), through the
// standard AWS_ENDPOINT_URL; what each did is read back from the emulator.

let moto: MotoServer;
let work: string;
let s3: S3Client;
let sagemaker: SageMakerClient;
const ACCOUNT = '123456789012'; // moto's
const BUCKET = `calculator-dev-artifacts-${ACCOUNT}`;

const calculator = (...args: string[]) => runCalculator(args, moto.env);

beforeAll(async () => {
  moto = await startMoto();
  work = mkdtempSync(join(tmpdir(), 'calculator-registry-test-'));
  ({ s3, sagemaker } = moto.clients);
  // What the infrastructure creates for the stage.
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'calculator-dev' }));
  for (const [name, manifest] of [
    ['good', { name: 'calculator', version: '2.0.0' }],
    [
      'no-sin',
      { name: 'calculator', version: '2.1.0', operations: OPERATION_NAMES.filter((op) => op !== 'sin') },
    ],
  ] as const) {
    writeFileSync(join(work, `${name}.json`), JSON.stringify(manifest));
    expect(
      (
        await calculator(
          'package',
          '--manifest',
          join(work, `${name}.json`),
          '--out',
          join(work, `${name}.tar.gz`),
        )
      ).code,
    ).toBe(0);
    await calculator(
      'evaluate',
      '--model',
      join(work, `${name}.tar.gz`),
      '--report',
      join(work, `${name}.evaluation.json`),
    );
  }
}, 120_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('calculator register, versions and approve', () => {
  it('registers an evaluated artifact: both files in the stage bucket, a pending model package with its statistics', async () => {
    const { code, stdout, stderr } = await calculator(
      'register',
      '--model',
      join(work, 'good.tar.gz'),
      '--evaluation',
      join(work, 'good.evaluation.json'),
      '--stage',
      'dev',
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const registered = JSON.parse(stdout);
    expect(registered).toEqual(
      expect.objectContaining({
        version: 1,
        modelVersion: '2.0.0',
        accuracy: 1,
        artifact: `s3://${BUCKET}/models/2.0.0/model.tar.gz`,
      }),
    );
    for (const key of ['models/2.0.0/model.tar.gz', 'models/2.0.0/evaluation.json']) {
      expect(
        (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength,
      ).toBeGreaterThan(0);
    }
    const described = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: registered.arn }),
    );
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(described.ModelPackageGroupName).toBe('calculator-dev');
    expect(described.InferenceSpecification?.Containers?.[0]).toEqual(
      expect.objectContaining({
        Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/calculator-dev-container:1.0.0`,
        ModelDataUrl: `s3://${BUCKET}/models/2.0.0/model.tar.gz`,
      }),
    );
    expect(described.InferenceSpecification?.SupportedContentTypes).toEqual([
      'application/json',
      'application/jsonlines',
      'text/csv',
    ]);
    expect(described.ModelMetrics?.ModelQuality?.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: `s3://${BUCKET}/models/2.0.0/evaluation.json`,
    });
  });

  it('refuses a failing or missing evaluation, saying why', async () => {
    const failing = await calculator(
      'register',
      '--model',
      join(work, 'no-sin.tar.gz'),
      '--evaluation',
      join(work, 'no-sin.evaluation.json'),
      '--stage',
      'dev',
    );
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(
      /the evaluation failed \(accuracy 93\.\d+ % below 100\.00 %\): operation 'sin' is disabled by the manifest/,
    );
    const missing = await calculator(
      'register',
      '--model',
      join(work, 'good.tar.gz'),
      '--evaluation',
      join(work, 'none.json'),
      '--stage',
      'dev',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no evaluation to register with .* run calculator evaluate --model/);
    const mismatched = await calculator(
      'register',
      '--model',
      join(work, 'no-sin.tar.gz'),
      '--evaluation',
      join(work, 'good.evaluation.json'),
      '--stage',
      'dev',
    );
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toMatch(/evaluated calculator@2\.0\.0, not this artifact's calculator@2\.1\.0/);
    expect(
      (await calculator('register', '--model', 'x', '--evaluation', 'y', '--stage', 'qa')).stderr,
    ).toMatch(/no stage "qa" in cdktf\/stages\.ts/);
  });

  it('approves and rejects versions, and lists them with status and accuracy', async () => {
    // A second version to reject.
    expect(
      (
        await calculator(
          'register',
          '--model',
          join(work, 'good.tar.gz'),
          '--evaluation',
          join(work, 'good.evaluation.json'),
          '--stage',
          'dev',
        )
      ).code,
    ).toBe(0);
    const approved = await calculator('approve', '--stage', 'dev', '--version', '1');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(
      /^version 1 is Approved: arn:aws:sagemaker:us-east-1:123456789012:model-package\/calculator-dev\/1\n$/,
    );
    expect((await calculator('approve', '--stage', 'dev', '--version', '2', '--reject')).code).toBe(2);
    expect(
      (
        await calculator(
          'approve',
          '--stage',
          'dev',
          '--version',
          '2',
          '--reject',
          '--reason',
          'canary alarms',
        )
      ).code,
    ).toBe(0);
    const unknown = await calculator('approve', '--stage', 'dev', '--version', '9');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/calculator-dev has no version 9; it has 1, 2/);
    const listed = JSON.parse((await calculator('versions', '--stage', 'dev', '--json')).stdout);
    expect(
      listed.map((entry: { version: number; status: string; accuracy: number }) => [
        entry.version,
        entry.status,
        entry.accuracy,
      ]),
    ).toEqual([
      [1, 'Approved', 1],
      [2, 'Rejected', 1],
    ]);
    const described = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: listed[1].arn }),
    );
    expect(described.ModelApprovalStatus).toBe('Rejected');
    expect(described.ApprovalDescription).toBe('canary alarms');
    const table = (await calculator('versions', '--stage', 'dev')).stdout.split('\n');
    expect(table[0]).toMatch(/version\s+status\s+accuracy\s+model\s+created/);
    expect(table[1]).toMatch(/^\s+1\s+Approved\s+100\.00 %\s+2\.0\.0\s+\d{4}-/);
  });
});
