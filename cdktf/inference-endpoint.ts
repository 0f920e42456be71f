import { AppautoscalingPolicy } from '@cdktn/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktn/provider-aws/lib/appautoscaling-target';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { SagemakerEndpoint } from '@cdktn/provider-aws/lib/sagemaker-endpoint';
import { SagemakerEndpointConfiguration } from '@cdktn/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktn/provider-aws/lib/sagemaker-model';
import { SagemakerModelPackageGroup } from '@cdktn/provider-aws/lib/sagemaker-model-package-group';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import { assumeRolePolicy, policyDocument, pullImageStatements } from './iam-policy';
import type { StageConfig } from './stage-config';

/** The production variant's name: SageMaker's default, and what the local endpoint reports. */
export const VARIANT_NAME = 'AllTraffic';

/**
 * The SageMaker side: an execution role that reads only its artifact prefix and pulls only its
 * repository, the model, an endpoint configuration (name_prefix + create_before_destroy, so a change
 * swaps configurations without downtime), the endpoint, the model package group, and target-tracking
 * auto-scaling when the stage asks for it.
 */
export class InferenceEndpoint extends Construct {
  readonly endpoint: SagemakerEndpoint;
  readonly endpointName: string;

  constructor(scope: Construct, id: string, config: StageConfig, store: ArtifactStore) {
    super(scope, id);
    const prefix = `calculator-${config.stage}`;
    const { partition, accountId } = store;
    this.endpointName = prefix;

    const statements = [
      {
        Sid: 'ReadModelArtifacts',
        Effect: 'Allow' as const,
        Action: 's3:GetObject',
        Resource: `${store.bucket.arn}/models/*`,
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

    const model = new SagemakerModel(this, 'model', {
      executionRoleArn: role.arn,
      primaryContainer: {
        image: `${store.modelRepository.repositoryUrl}:${config.images.containerTag}`,
        modelDataUrl: `s3://${store.bucket.bucket}/${config.modelArtifactKey}`,
        environment: { LOG_LEVEL: 'info' },
      },
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
    this.endpoint = new SagemakerEndpoint(this, 'endpoint', {
      name: prefix,
      endpointConfigName: endpointConfiguration.name,
    });

    new SagemakerModelPackageGroup(this, 'model-registry', {
      modelPackageGroupName: prefix,
      modelPackageGroupDescription: `Versions of the calculator model for ${config.stage}`,
    });

    if (endpoint.kind === 'instances' && endpoint.scaling) {
      const target = new AppautoscalingTarget(this, 'scaling-target', {
        serviceNamespace: 'sagemaker',
        resourceId: `endpoint/${this.endpoint.name}/variant/${VARIANT_NAME}`,
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
