import { AppautoscalingPolicy } from '@cdktn/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktn/provider-aws/lib/appautoscaling-target';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { SagemakerEndpointConfig } from '@cdktn/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpoint } from '@cdktn/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpointConfiguration } from '@cdktn/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktn/provider-aws/lib/sagemaker-model';
import { SagemakerModelPackageGroup } from '@cdktn/provider-aws/lib/sagemaker-model-package-group';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import { assumeRolePolicy, policyDocument, pullImageStatements } from './iam-policy';
import type { Monitoring } from './monitoring';
import type { StageConfig } from './stage-config';

/** The production variant's name: SageMaker's default, and what the local endpoint reports. */
export const VARIANT_NAME = 'AllTraffic';

/** The stage's endpoint name (also what the API is told to invoke). */
export function endpointNameOf(config: StageConfig): string {
  return `calculator-${config.stage}`;
}

/**
 * The SageMaker side: an execution role that reads only its artifact prefix and pulls only its
 * repository, the model package group, and, once a version is deployed, the model built from that
 * approved package, an endpoint configuration (name_prefix + create_before_destroy, so a change swaps
 * configurations), the endpoint with a blue/green deployment config rolled back by the stage's alarms,
 * and target-tracking auto-scaling when the stage asks for it.
 */
export class InferenceEndpoint extends Construct {
  /** Absent until a version is deployed (`calculator deploy`). */
  readonly endpoint?: SagemakerEndpoint;
  readonly endpointName: string;
  /** The endpoint's ARN, known before it exists (the API's IAM names it). */
  readonly endpointArn: string;
  readonly modelPackageGroupName: string;

  constructor(
    scope: Construct,
    id: string,
    config: StageConfig,
    store: ArtifactStore,
    monitoring: Monitoring,
  ) {
    super(scope, id);
    const prefix = `calculator-${config.stage}`;
    const { partition, accountId } = store;
    this.endpointName = endpointNameOf(config);
    this.endpointArn = `arn:${partition}:sagemaker:${config.region}:${accountId}:endpoint/${this.endpointName}`;
    this.modelPackageGroupName = prefix;

    const statements = [
      {
        Sid: 'ReadModelArtifacts',
        Effect: 'Allow' as const,
        Action: 's3:GetObject',
        Resource: `${store.bucket.arn}/models/*`,
      },
      // Batch transform jobs (calculator transform --remote) run as this role, on transform/ only.
      {
        Sid: 'ListTransformInput',
        Effect: 'Allow' as const,
        Action: 's3:ListBucket',
        Resource: store.bucket.arn,
        Condition: { StringLike: { 's3:prefix': 'transform/*' } },
      },
      {
        Sid: 'ReadWriteTransformData',
        Effect: 'Allow' as const,
        Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        Resource: `${store.bucket.arn}/transform/*`,
      },
      ...pullImageStatements('PullInferenceImage', store.modelRepository.arn),
      {
        Sid: 'UseStageKey',
        Effect: 'Allow' as const,
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: store.key.arn,
      },
      {
        Sid: 'WriteEndpointLogs',
        Effect: 'Allow' as const,
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:DescribeLogStreams',
        ],
        Resource: `arn:${partition}:logs:${config.region}:${accountId}:log-group:/aws/sagemaker/Endpoints/${prefix}*`,
      },
      // Deployment guardrails read the auto-rollback alarms as this role.
      {
        Sid: 'ReadRollbackAlarms',
        Effect: 'Allow' as const,
        Action: 'cloudwatch:DescribeAlarms',
        Resource: `arn:${partition}:cloudwatch:${config.region}:${accountId}:alarm:${prefix}-*`,
      },
      // PutMetricData has no resource-level permissions; the condition keeps it to SageMaker's namespace.
      {
        Sid: 'PublishEndpointMetrics',
        Effect: 'Allow' as const,
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      },
    ];
    if (config.dataCapture) {
      statements.push({
        Sid: 'WriteDataCapture',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `${store.bucket.arn}/data-capture/*`,
      });
    }
    const role = new IamRole(this, 'execution-role', {
      name: `${prefix}-sagemaker-execution`,
      assumeRolePolicy: assumeRolePolicy('sagemaker.amazonaws.com'),
    });
    const rolePolicy = new IamRolePolicy(this, 'execution-policy', {
      name: 'least-privilege',
      role: role.id,
      policy: policyDocument(statements),
    });

    new SagemakerModelPackageGroup(this, 'model-registry', {
      modelPackageGroupName: this.modelPackageGroupName,
      modelPackageGroupDescription: `Versions of the calculator model for ${config.stage}`,
    });

    const version = config.modelPackageVersion;
    // No version deployed yet (a new stage): the registry exists for `calculator register`; the endpoint
    // comes with the first `calculator deploy`.
    if (version === undefined) return;

    // The approved package names the image (the stage's container, as `register` wrote it) and the artifact.
    const model = new SagemakerModel(this, 'model', {
      executionRoleArn: role.arn,
      primaryContainer: {
        modelPackageName: `arn:${partition}:sagemaker:${config.region}:${accountId}:model-package/${this.modelPackageGroupName}/${version}`,
        environment: { LOG_LEVEL: 'info' },
      },
      tags: { 'model-package-version': String(version) },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [rolePolicy],
    });

    const { endpoint } = config;
    const variant =
      endpoint.kind === 'instances'
        ? {
            variantName: VARIANT_NAME,
            modelName: model.name,
            instanceType: endpoint.instanceType,
            initialInstanceCount: endpoint.instanceCount,
          }
        : {
            variantName: VARIANT_NAME,
            modelName: model.name,
            serverlessConfig: { memorySizeInMb: endpoint.memoryMb, maxConcurrency: endpoint.maxConcurrency },
          };
    const endpointConfiguration = new SagemakerEndpointConfiguration(this, 'endpoint-configuration', {
      namePrefix: `${prefix}-`,
      // SageMaker refuses a KMS key for the ML storage volume of serverless endpoints.
      ...(endpoint.kind === 'instances' ? { kmsKeyArn: store.key.arn } : {}),
      productionVariants: [variant],
      ...(config.dataCapture
        ? {
            dataCaptureConfig: {
              enableCapture: true,
              initialSamplingPercentage: config.dataCapture.samplingPercent,
              destinationS3Uri: `s3://${store.bucket.bucket}/data-capture`,
              kmsKeyId: store.key.arn,
              captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
              captureContentTypeHeader: {
                jsonContentTypes: ['application/json', 'application/jsonlines'],
                csvContentTypes: ['text/csv'],
              },
            },
          }
        : {}),
      lifecycle: { createBeforeDestroy: true },
    });

    // Blue/green: the new configuration's fleet comes up beside the old one; traffic shifts to it (a
    // canary first, or all at once), bakes while the alarms watch, and any alarm rolls it all back.
    const newFleetErrors = monitoring.watchNewFleet(config, this.endpointName, endpointConfiguration.name);
    const { rollout } = config;
    const endpointProps: SagemakerEndpointConfig = {
      name: this.endpointName,
      endpointConfigName: endpointConfiguration.name,
      deploymentConfig: {
        blueGreenUpdatePolicy: {
          trafficRoutingConfiguration:
            rollout.kind === 'canary'
              ? {
                  type: 'CANARY',
                  canarySize: { type: 'CAPACITY_PERCENT', value: rollout.canaryPercent },
                  waitIntervalInSeconds: rollout.waitSeconds,
                }
              : { type: 'ALL_AT_ONCE', waitIntervalInSeconds: rollout.waitSeconds },
          // The old fleet stays for 5 minutes after the shift, so a late alarm still has it to go back to.
          terminationWaitInSeconds: 300,
          maximumExecutionTimeoutInSeconds: Math.max(600, 2 * rollout.waitSeconds + 1800),
        },
        autoRollbackConfiguration: {
          alarms: [...monitoring.endpointAlarms, newFleetErrors].map((alarm) => ({
            alarmName: alarm.alarmName,
          })),
        },
      },
    };
    const deployed = new SagemakerEndpoint(this, 'endpoint', endpointProps);
    this.endpoint = deployed;

    if (endpoint.kind === 'instances' && endpoint.scaling) {
      const target = new AppautoscalingTarget(this, 'scaling-target', {
        serviceNamespace: 'sagemaker',
        resourceId: `endpoint/${deployed.name}/variant/${VARIANT_NAME}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: endpoint.scaling.minCapacity,
        maxCapacity: endpoint.scaling.maxCapacity,
      });
      new AppautoscalingPolicy(this, 'scaling-policy', {
        name: `${prefix}-invocations-per-instance`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: endpoint.scaling.targetInvocationsPerInstance,
          predefinedMetricSpecification: { predefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          scaleInCooldown: endpoint.scaling.scaleInCooldownSeconds,
          scaleOutCooldown: endpoint.scaling.scaleOutCooldownSeconds,
        },
      });
    }
  }
}
