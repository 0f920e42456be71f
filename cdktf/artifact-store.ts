import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktn/provider-aws/lib/data-aws-partition';
import { EcrRepository } from '@cdktn/provider-aws/lib/ecr-repository';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import type { PolicyStatement } from './iam-policy';
import { policyDocument } from './iam-policy';
import type { StageConfig } from './stage-config';

/**
 * A bucket no one outside the account can reach: every kind of public access blocked, and ACLs off (the
 * bucket owner owns every object). As `public-access-block` and `ownership` under `scope`.
 */
export function keepPrivate(scope: Construct, bucket: S3Bucket): void {
  new S3BucketPublicAccessBlock(scope, 'public-access-block', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
}

/** The bucket-policy statement that refuses every request to a bucket over plain HTTP. */
export function denyInsecureTransport(bucket: S3Bucket): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucket.arn, `${bucket.arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * What the stage's other resources build on: the KMS key (rotated), the artifact bucket (versioned, KMS,
 * public access blocked, TLS only) and the ECR repositories (scan on push, immutable tags) for the
 * inference container and the API.
 */
export class ArtifactStore extends Construct {
  readonly accountId: string;
  readonly partition: string;
  readonly key: KmsKey;
  readonly bucket: S3Bucket;
  readonly modelRepository: EcrRepository;
  readonly apiRepository: EcrRepository;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    const prefix = `calculator-${config.stage}`;
    this.accountId = new DataAwsCallerIdentity(this, 'account').accountId;
    this.partition = new DataAwsPartition(this, 'partition').partition;
    const root = `arn:${this.partition}:iam::${this.accountId}:root`;

    this.key = new KmsKey(this, 'key', {
      description: `${prefix}: model artifacts, endpoint volumes, logs and alarm notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: config.kmsDeletionWindowDays,
      // A key policy's "*" resource means "this key".
      policy: policyDocument([
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: root },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
        {
          // Registry approval events reach the encrypted topic through EventBridge.
          Sid: 'EventBridgePublishesToEncryptedTopic',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
        {
          Sid: 'CloudWatchLogsEncryptLogGroups',
          Effect: 'Allow',
          Principal: { Service: `logs.${config.region}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${config.region}:${this.accountId}:log-group:*`,
            },
          },
        },
      ]),
    });
    new KmsAlias(this, 'alias', { name: `alias/${prefix}`, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, 'bucket', { bucket: `${prefix}-artifacts-${this.accountId}` });
    new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    keepPrivate(this, this.bucket);
    new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: policyDocument([denyInsecureTransport(this.bucket)]),
    });

    const repository = (name: string) =>
      new EcrRepository(this, name, {
        name: `${prefix}-${name}`,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.key.arn }],
      });
    this.modelRepository = repository('container');
    this.apiRepository = repository('api');
  }
}
