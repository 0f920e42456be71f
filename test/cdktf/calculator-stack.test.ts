import { AppautoscalingPolicy } from '@cdktn/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktn/provider-aws/lib/appautoscaling-target';
import { Apigatewayv2Api } from '@cdktn/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Stage } from '@cdktn/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { EcrRepository } from '@cdktn/provider-aws/lib/ecr-repository';
import { EcsService } from '@cdktn/provider-aws/lib/ecs-service';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import { LbListenerRule } from '@cdktn/provider-aws/lib/lb-listener-rule';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { SagemakerEndpointConfiguration } from '@cdktn/provider-aws/lib/sagemaker-endpoint-configuration';
import { SagemakerModel } from '@cdktn/provider-aws/lib/sagemaker-model';
import { SagemakerModelPackageGroup } from '@cdktn/provider-aws/lib/sagemaker-model-package-group';
import { SecretsmanagerSecret } from '@cdktn/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktn/provider-aws/lib/secretsmanager-secret-version';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { Wafv2WebAcl } from '@cdktn/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktn/provider-aws/lib/wafv2-web-acl-association';
import { Testing } from 'cdktn';
// Types of the matchers Testing.setupJest() installs.
import type {} from 'cdktn/lib/testing/adapters/jest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CONTEXT } from '../../cdktf/app-context';
import { CalculatorStack } from '../../cdktf/calculator-stack';
import type { Deployments } from '../../cdktf/deployments';
import type { StageConfig } from '../../cdktf/stage-config';
import { STAGES } from '../../cdktf/stages';
import { CACHING_OPTIMIZED_POLICY_ID } from '../../cdktf/static-site';
import { AWS_PUBLISHED_METRICS } from '../../cdktf/monitoring';
import { ACTIONS_WITHOUT_RESOURCES } from '../../cdktf/security-scan';
import { EMF_METRIC_NAMES } from '../../src/observability/emf';
import { pageSecurityHeaders } from '../../src/http/security-headers';
import { siteFiles } from '../../src/ui/site-files';
import { ROOT } from '../harness/container-process';

Testing.setupJest();

// Each stage as it is once `calculator deploy` has recorded version 3 for it.
const VERSION = 3;
const record = {
  version: VERSION,
  modelVersion: '1.0.0',
  action: 'deploy',
  at: '2026-12-01T00:00:00.000Z',
} as const;
const RECORDED: Deployments = {
  dev: { current: VERSION, history: [record] },
  prod: { current: VERSION, history: [record] },
};
/** What `calculator deploy` would have recorded for the version a config names. */
const recordedFor = (config: StageConfig): Deployments =>
  config.modelPackageVersion === VERSION
    ? { ...RECORDED, [config.stage]: RECORDED.dev! }
    : { [config.stage]: { history: [] } };

function synth(config: StageConfig, deployments: Deployments = recordedFor(config)): string {
  const app = Testing.app({ context: { ...APP_CONTEXT } });
  return Testing.synth(new CalculatorStack(app, `calculator-${config.stage}`, config, deployments), true);
}

const dev: StageConfig = { ...STAGES.dev!, modelPackageVersion: VERSION };
const prod: StageConfig = { ...STAGES.prod!, modelPackageVersion: VERSION };
const configs = { dev, prod };
const synthesized = { dev: synth(dev), prod: synth(prod) };
type Json = Record<string, any>;
const parsed = (stage: keyof typeof synthesized): Json => JSON.parse(synthesized[stage]);
const resourcesOf = (stage: keyof typeof synthesized, type: string): Json[] =>
  Object.values(parsed(stage).resource[type] ?? {});
/** The address of a stage's first block of a type: `aws_x.name`, or `data.aws_x.name` for a data source. */
const addressOf = (stage: keyof typeof synthesized, type: string) =>
  type.startsWith('data.')
    ? `${type}.${Object.keys(parsed(stage).data[type.slice('data.'.length)])[0]}`
    : `${type}.${Object.keys(parsed(stage).resource[type])[0]}`;

describe.each(['dev', 'prod'] as const)('the %s stack', (stage) => {
  const config = configs[stage];
  const json = synthesized[stage];

  it('matches its snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  it('has a rotated KMS key, and an artifact bucket that is versioned, KMS-encrypted, private and TLS-only', () => {
    expect(json).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: config.kmsDeletionWindowDays,
    });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, {
      versioning_configuration: { status: 'Enabled' },
    });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: 'aws:kms',
            kms_master_key_id: `\${${addressOf(stage, 'aws_kms_key')}.arn}`,
          },
          bucket_key_enabled: true,
        },
      ],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(resourcesOf(stage, 'aws_s3_bucket_policy')[0]!.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    ]);
    expect(json).toHaveResource(S3BucketPolicy);
  });

  it('has ECR repositories with scan on push and immutable tags', () => {
    expect(resourcesOf(stage, 'aws_ecr_repository')).toHaveLength(2);
    expect(json).toHaveResourceWithProperties(EcrRepository, {
      name: `calculator-${stage}-container`,
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  it('builds the model from the recorded, approved model package version (its image and artifact)', () => {
    expect(json).toHaveResourceWithProperties(SagemakerModel, {
      primary_container: {
        model_package_name: `arn:\${${addressOf(stage, 'data.aws_partition')}.partition}:sagemaker:${config.region}:\${${addressOf(stage, 'data.aws_caller_identity')}.account_id}:model-package/calculator-${stage}/${VERSION}`,
        environment: { LOG_LEVEL: 'info' },
      },
      lifecycle: { create_before_destroy: true },
    });
    const [model] = resourcesOf(stage, 'aws_sagemaker_model');
    expect(model!.primary_container.image).toBeUndefined();
    expect(model!.primary_container.model_data_url).toBeUndefined();
    expect(parsed(stage).output.model_package_version.value).toBe(VERSION);
  });

  it('updates the endpoint blue/green, rolled back automatically by the 5XX, p95 latency and new-fleet alarms', () => {
    const [endpoint] = resourcesOf(stage, 'aws_sagemaker_endpoint');
    const { deployment_config: deployment } = endpoint!;
    const routing = deployment.blue_green_update_policy.traffic_routing_configuration;
    if (config.rollout.kind === 'canary') {
      expect(routing).toEqual({
        type: 'CANARY',
        canary_size: { type: 'CAPACITY_PERCENT', value: config.rollout.canaryPercent },
        wait_interval_in_seconds: config.rollout.waitSeconds,
      });
    } else {
      expect(routing).toEqual({ type: 'ALL_AT_ONCE', wait_interval_in_seconds: config.rollout.waitSeconds });
    }
    const alarms = Object.entries(parsed(stage).resource.aws_cloudwatch_metric_alarm as Record<string, Json>);
    const addressOfAlarm = (name: string) =>
      `\${aws_cloudwatch_metric_alarm.${alarms.find(([, alarm]) => alarm.alarm_name === name)![0]}.alarm_name}`;
    expect(deployment.auto_rollback_configuration.alarms).toEqual([
      { alarm_name: addressOfAlarm(`calculator-${stage}-endpoint-5xx`) },
      { alarm_name: addressOfAlarm(`calculator-${stage}-model-latency-p95`) },
      { alarm_name: addressOfAlarm(`calculator-${stage}-new-fleet-invocation-errors`) },
    ]);
    // The new-fleet alarm watches the configuration being deployed, not the whole endpoint.
    const newFleet = alarms.find(([, alarm]) => alarm.alarm_name.endsWith('new-fleet-invocation-errors'))![1];
    expect(newFleet).toEqual(
      expect.objectContaining({
        namespace: 'AWS/SageMaker',
        metric_name: 'InvocationModelErrors',
        dimensions: {
          EndpointName: `calculator-${stage}`,
          VariantName: 'AllTraffic',
          EndpointConfigName: `\${${addressOf(stage, 'aws_sagemaker_endpoint_configuration')}.name}`,
        },
      }),
    );
    // SageMaker reads those alarms as the endpoint's execution role.
    const execution = resourcesOf(stage, 'aws_iam_role_policy')
      .map((policy) => JSON.parse(policy.policy).Statement as Json[])
      .find((statements) => statements.some((statement) => statement.Sid === 'ReadModelArtifacts'))!;
    expect(execution).toContainEqual({
      Sid: 'ReadRollbackAlarms',
      Effect: 'Allow',
      Action: 'cloudwatch:DescribeAlarms',
      Resource: `arn:\${${addressOf(stage, 'data.aws_partition')}.partition}:cloudwatch:${config.region}:\${${addressOf(stage, 'data.aws_caller_identity')}.account_id}:alarm:calculator-${stage}-*`,
    });
  });

  it("tells the stage's topic when a version of its group is approved or rejected", () => {
    const rule = Object.entries(parsed(stage).resource.aws_cloudwatch_event_rule as Record<string, Json>);
    expect(rule).toHaveLength(1);
    const [ruleName, ruleBlock] = rule[0]!;
    expect(JSON.parse(ruleBlock.event_pattern)).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      detail: {
        ModelPackageGroupName: [`calculator-${stage}`],
        ModelApprovalStatus: ['Approved', 'Rejected'],
      },
    });
    const topic = `\${${addressOf(stage, 'aws_sns_topic')}.arn}`;
    expect(json).toHaveResourceWithProperties(CloudwatchEventTarget, {
      rule: `\${aws_cloudwatch_event_rule.${ruleName}.name}`,
      arn: topic,
    });
    const [topicPolicy] = resourcesOf(stage, 'aws_sns_topic_policy');
    expect(topicPolicy!.arn).toBe(topic);
    const statements = JSON.parse(topicPolicy!.policy).Statement as Json[];
    expect(statements).toContainEqual({
      Sid: 'RegistryEventsPublish',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topic,
      Condition: { ArnEquals: { 'aws:SourceArn': `\${aws_cloudwatch_event_rule.${ruleName}.arn}` } },
    });
    // The alarms keep their way to the topic under that policy, and EventBridge can use the topic's key.
    expect(statements.map((statement) => statement.Principal)).toContainEqual({
      Service: 'cloudwatch.amazonaws.com',
    });
    const keyPolicy = JSON.parse(resourcesOf(stage, 'aws_kms_key')[0]!.policy).Statement as Json[];
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('has an endpoint configuration with name_prefix, create_before_destroy and the stage variant', () => {
    const endpoint = config.endpoint as Extract<StageConfig['endpoint'], { kind: 'instances' }>;
    expect(json).toHaveResourceWithProperties(SagemakerEndpointConfiguration, {
      name_prefix: `calculator-${stage}-`,
      lifecycle: { create_before_destroy: true },
      production_variants: [
        expect.objectContaining({
          variant_name: 'AllTraffic',
          instance_type: endpoint.instanceType,
          initial_instance_count: endpoint.instanceCount,
        }),
      ],
    });
    expect(json).toHaveResourceWithProperties(SagemakerModelPackageGroup, {
      model_package_group_name: `calculator-${stage}`,
    });
  });

  it('alarms on 5XX errors and p95 ModelLatency in microseconds, and on API errors, to an encrypted topic', () => {
    expect(json).toHaveResourceWithProperties(SnsTopic, {
      kms_master_key_id: `\${${addressOf(stage, 'aws_kms_key')}.arn}`,
    });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: 'AWS/SageMaker',
      metric_name: 'Invocation5XXErrors',
      statistic: 'Sum',
      dimensions: { EndpointName: `calculator-${stage}`, VariantName: 'AllTraffic' },
      threshold: config.alarms.invocation5xxErrors,
    });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      namespace: 'AWS/SageMaker',
      metric_name: 'ModelLatency',
      extended_statistic: 'p95',
      unit: 'Microseconds',
      threshold: config.alarms.modelLatencyP95Ms * 1000,
    });
    const apiAlarm = resourcesOf(stage, 'aws_cloudwatch_metric_alarm').find(
      (alarm) => alarm.alarm_name === `calculator-${stage}-api-5xx`,
    );
    expect(apiAlarm).toEqual(
      expect.objectContaining({
        threshold: config.alarms.api5xxErrors,
        alarm_actions: [expect.stringMatching(/aws_sns_topic/)],
      }),
    );
  });

  it('lets the API role call sagemaker:InvokeEndpoint on exactly the endpoint ARN, and nothing else of SageMaker', () => {
    // The ARN is spelt out (it is known before the endpoint exists) from the endpoint's own name.
    expect(resourcesOf(stage, 'aws_sagemaker_endpoint')[0]!.name).toBe(`calculator-${stage}`);
    const endpointArn = `arn:\${${addressOf(stage, 'data.aws_partition')}.partition}:sagemaker:${config.region}:\${${addressOf(stage, 'data.aws_caller_identity')}.account_id}:endpoint/calculator-${stage}`;
    const apiPolicies = resourcesOf(stage, 'aws_iam_role_policy')
      .map((policy) => JSON.parse(policy.policy).Statement as Json[])
      .filter((statements) =>
        statements.some((statement) => JSON.stringify(statement.Action).includes('sagemaker:')),
      );
    expect(apiPolicies).toHaveLength(1);
    const sagemakerStatements = apiPolicies[0]!.filter((statement) =>
      JSON.stringify(statement.Action).includes('sagemaker:'),
    );
    expect(sagemakerStatements).toEqual([
      {
        Sid: 'InvokeThisEndpointOnly',
        Effect: 'Allow',
        Action: 'sagemaker:InvokeEndpoint',
        Resource: endpointArn,
      },
    ]);
  });

  it('uses no "*" resource for an action that accepts a resource ARN', () => {
    const wildcards = resourcesOf(stage, 'aws_iam_role_policy')
      .flatMap((policy) => JSON.parse(policy.policy).Statement as Json[])
      .filter((statement) => [statement.Resource].flat().includes('*'))
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => !ACTIONS_WITHOUT_RESOURCES.has(action));
    expect(wildcards).toEqual([]);
  });

  it('reads only its artifact prefix and pulls only its own repository for SageMaker', () => {
    const execution = resourcesOf(stage, 'aws_iam_role_policy')
      .map((policy) => JSON.parse(policy.policy).Statement as Json[])
      .find((statements) => statements.some((statement) => statement.Sid === 'ReadModelArtifacts'))!;
    const bucket = addressOf(stage, 'aws_s3_bucket');
    expect(execution.find((statement) => statement.Sid === 'ReadModelArtifacts')!.Resource).toBe(
      `\${${bucket}.arn}/models/*`,
    );
    // Remote transform jobs run as this role: transform/ of the same bucket, nothing else.
    expect(execution.find((statement) => statement.Sid === 'ReadWriteTransformData')).toEqual(
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        Resource: `\${${bucket}.arn}/transform/*`,
      }),
    );
    expect(execution.find((statement) => statement.Sid === 'ListTransformInput')).toEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Resource: `\${${bucket}.arn}`,
        Condition: { StringLike: { 's3:prefix': 'transform/*' } },
      }),
    );
    expect(execution.find((statement) => statement.Sid === 'PullInferenceImage')!.Resource).toMatch(
      /^\$\{aws_ecr_repository\.artifacts_container_[A-F0-9]+\.arn\}$/,
    );
  });

  it('keeps its state in S3, per stage, and outputs what a deployer needs', () => {
    const { terraform, output } = parsed(stage);
    expect(terraform.backend.s3).toEqual(
      expect.objectContaining({
        key: `calculator/${stage}/terraform.tfstate`,
        encrypt: true,
        use_lockfile: true,
      }),
    );
    expect(Object.keys(output).sort()).toEqual([
      'api_ecr_repository_url',
      'api_keys_secret',
      'api_url',
      'artifact_bucket',
      'ecr_repository_url',
      'endpoint_name',
      'model_package_version',
      'site_url',
    ]);
  });

  it('gives every log group a retention and the stage key', () => {
    const groups = resourcesOf(stage, 'aws_cloudwatch_log_group');
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups)
      expect(group).toEqual(
        expect.objectContaining({
          retention_in_days: config.logRetentionDays,
          kms_key_id: expect.stringMatching(/aws_kms_key/),
        }),
      );
  });
});

describe('stage differences', () => {
  it('scales the prod endpoint 1-5 on SageMakerVariantInvocationsPerInstance', () => {
    const endpoint = addressOf('prod', 'aws_sagemaker_endpoint');
    expect(synthesized.prod).toHaveResourceWithProperties(AppautoscalingTarget, {
      service_namespace: 'sagemaker',
      resource_id: `endpoint/\${${endpoint}.name}/variant/AllTraffic`,
      scalable_dimension: 'sagemaker:variant:DesiredInstanceCount',
      min_capacity: 1,
      max_capacity: 5,
    });
    expect(synthesized.prod).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: expect.objectContaining({
        predefined_metric_specification: { predefined_metric_type: 'SageMakerVariantInvocationsPerInstance' },
      }),
    });
  });

  it('does not scale the burstable dev endpoint', () => {
    expect(resourcesOf('dev', 'aws_appautoscaling_target')).toEqual([]);
  });

  it('hosts the dev API on Lambda behind a throttled HTTP API with access logs', () => {
    expect(synthesized.dev).toHaveResourceWithProperties(LambdaFunction, {
      package_type: 'Image',
      environment: {
        variables: expect.objectContaining({
          SAGEMAKER_ENDPOINT_NAME: 'calculator-dev',
          NODE_ENV: 'production',
        }),
      },
    });
    expect(synthesized.dev).toHaveResourceWithProperties(Apigatewayv2Stage, {
      default_route_settings: { throttling_burst_limit: 100, throttling_rate_limit: 50 },
      access_log_settings: expect.objectContaining({
        destination_arn: expect.stringMatching(/aws_cloudwatch_log_group/),
      }),
    });
    expect(resourcesOf('dev', 'aws_ecs_service')).toEqual([]);
  });

  it('hosts the prod API on Fargate behind an ALB with its own scaling, and captures data', () => {
    expect(synthesized.prod).toHaveResourceWithProperties(EcsService, {
      launch_type: 'FARGATE',
      desired_count: 2,
    });
    expect(synthesized.prod).toHaveResourceWithProperties(AppautoscalingTarget, {
      service_namespace: 'ecs',
      min_capacity: 2,
      max_capacity: 6,
    });
    expect(resourcesOf('prod', 'aws_lb')).toEqual([
      expect.objectContaining({ load_balancer_type: 'application' }),
    ]);
    expect(resourcesOf('prod', 'aws_lambda_function')).toEqual([]);
    expect(resourcesOf('prod', 'aws_sagemaker_endpoint_configuration')[0]!.data_capture_config).toEqual(
      expect.objectContaining({ enable_capture: true, initial_sampling_percentage: 10 }),
    );
  });

  it('supports serverless inference', () => {
    const json = synth({
      ...dev,
      stage: 'serverless',
      endpoint: { kind: 'serverless', memoryMb: 2048, maxConcurrency: 20 },
    });
    expect(json).toHaveResourceWithProperties(SagemakerEndpointConfiguration, {
      production_variants: [
        expect.objectContaining({ serverless_config: { memory_size_in_mb: 2048, max_concurrency: 20 } }),
      ],
    });
  });
});

describe('who may call the hosted API', () => {
  it.each(['dev', 'prod'] as const)(
    '%s: keeps the API keys in a secret of the stage, encrypted with its key, read by the API role alone',
    (stage) => {
      const json = synthesized[stage];
      const secret = addressOf(stage, 'aws_secretsmanager_secret');
      expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, {
        name: `calculator-${stage}-api-keys`,
        kms_key_id: `\${${addressOf(stage, 'aws_kms_key')}.arn}`,
      });
      // No key at first (every request 401), and Terraform never puts back what an operator wrote.
      expect(json).toHaveResourceWithProperties(SecretsmanagerSecretVersion, {
        secret_id: `\${${secret}.id}`,
        secret_string: '{"API_KEYS":""}',
        lifecycle: { ignore_changes: ['secret_string'] },
      });
      const statements = resourcesOf(stage, 'aws_iam_role_policy').flatMap(
        (policy) => JSON.parse(policy.policy).Statement as Json[],
      );
      const reading = statements.filter((statement) =>
        JSON.stringify(statement.Action).includes('secretsmanager:'),
      );
      expect(reading).toEqual([
        {
          Sid: 'ReadOwnApiKeys',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `\${${secret}.arn}`,
        },
      ]);
      expect(statements.find((statement) => statement.Sid === 'DecryptOwnApiKeys')).toEqual({
        Sid: 'DecryptOwnApiKeys',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: `\${${addressOf(stage, 'aws_kms_key')}.arn}`,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
      });
      const environment =
        stage === 'dev'
          ? resourcesOf(stage, 'aws_lambda_function')[0]!.environment.variables
          : Object.fromEntries(
              JSON.parse(
                resourcesOf(stage, 'aws_ecs_task_definition')[0]!.container_definitions,
              )[0].environment.map(({ name, value }: { name: string; value: string }) => [name, value]),
            );
      expect(environment).toEqual(
        expect.objectContaining({ NODE_ENV: 'production', API_KEYS_SECRET_ID: `\${${secret}.arn}` }),
      );
      expect(environment).not.toHaveProperty('API_AUTH');
      expect(parsed(stage).output.api_keys_secret.value).toBe(`\${${secret}.arn}`);
    },
  );

  it('never serves /metrics (which names every key id) through the prod load balancer', () => {
    expect(synthesized.prod).toHaveResourceWithProperties(LbListenerRule, {
      listener_arn: `\${${addressOf('prod', 'aws_lb_listener')}.arn}`,
      priority: 1,
      condition: [{ path_pattern: { values: ['/metrics', '/metrics/*'] } }],
      action: [
        expect.objectContaining({
          type: 'fixed-response',
          fixed_response: expect.objectContaining({ status_code: '404' }),
        }),
      ],
    });
  });

  it('puts a WAF rate-based rule per client IP in front of the prod load balancer', () => {
    const json = synthesized.prod;
    expect(json).toHaveResourceWithProperties(Wafv2WebAcl, {
      scope: 'REGIONAL',
      default_action: { allow: {} },
      rule: [
        expect.objectContaining({
          name: 'rate-per-ip',
          action: { block: {} },
          statement: {
            rate_based_statement: { limit: 6000, evaluation_window_sec: 300, aggregate_key_type: 'IP' },
          },
        }),
      ],
    });
    expect(json).toHaveResourceWithProperties(Wafv2WebAclAssociation, {
      resource_arn: `\${${addressOf('prod', 'aws_lb')}.arn}`,
      web_acl_arn: `\${${addressOf('prod', 'aws_wafv2_web_acl')}.arn}`,
    });
    expect(synthesized.dev).not.toHaveResource(Wafv2WebAcl);
  });

  it("gives API Gateway the stage's CORS origins and its site's, with the API's own methods and headers, and the API the same", () => {
    const origins = ['https://app.example.com', 'http://localhost:5173'];
    const json = synth({ ...dev, stage: 'cors', corsOrigins: origins });
    const site = `https://\${${addressOfIn(json, 'aws_cloudfront_distribution')}.domain_name}`;
    expect(json).toHaveResourceWithProperties(Apigatewayv2Api, {
      cors_configuration: {
        allow_origins: [site, ...origins],
        allow_methods: ['GET', 'POST', 'OPTIONS'],
        allow_headers: expect.arrayContaining(['content-type', 'x-api-key', 'authorization']),
        expose_headers: ['retry-after', 'www-authenticate', 'x-request-id'],
        max_age: 600,
      },
    });
    const fn = Object.values(JSON.parse(json).resource.aws_lambda_function)[0] as Json;
    expect(fn.environment.variables.CORS_ORIGINS).toBe([site, ...origins].join(','));
  });
});

/** The address of the first block of a type in a synthesized stack. */
function addressOfIn(json: string, type: string): string {
  return `${type}.${Object.keys(JSON.parse(json).resource[type])[0]}`;
}

describe.each(['dev', 'prod'] as const)("the %s stage's static site", (stage) => {
  const json = parsed(stage);
  const distribution = addressOf(stage, 'aws_cloudfront_distribution');
  const siteBucket = Object.entries(json.resource.aws_s3_bucket as Record<string, Json>).find(([, b]) =>
    String(b.bucket).includes('-site-'),
  )!;
  const siteBucketAddress = `aws_s3_bucket.${siteBucket[0]}`;
  const objects = resourcesOf(stage, 'aws_s3_object');

  it('keeps its files in a private bucket that only its distribution reads, through origin access control', () => {
    expect(siteBucket[1].bucket).toMatch(
      new RegExp(`^calculator-${stage}-site-\\$\\{data\\.aws_caller_identity\\.`),
    );
    expect(json.resource.aws_s3_bucket_website_configuration).toBeUndefined();
    const block = resourcesOf(stage, 'aws_s3_bucket_public_access_block').find(
      (b) => b.bucket === `\${${siteBucketAddress}.id}`,
    )!;
    expect(block).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const encryption = resourcesOf(stage, 'aws_s3_bucket_server_side_encryption_configuration').find(
      (e) => e.bucket === `\${${siteBucketAddress}.id}`,
    )!;
    expect(encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
    const policy = resourcesOf(stage, 'aws_s3_bucket_policy').find(
      (p) => p.bucket === `\${${siteBucketAddress}.id}`,
    )!;
    const statements = JSON.parse(policy.policy).Statement as Json[];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'ReadByThisDistributionOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `\${${siteBucketAddress}.arn}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': `\${${distribution}.arn}` } },
      },
    ]);
    expect(statements.find((statement) => statement.Sid === 'DenyInsecureTransport')).toBeDefined();
    const access = resourcesOf(stage, 'aws_cloudfront_origin_access_control')[0]!;
    expect(access).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    const cdn = resourcesOf(stage, 'aws_cloudfront_distribution')[0]!;
    expect(cdn.origin).toEqual([
      {
        origin_id: 'site-bucket',
        domain_name: `\${${siteBucketAddress}.bucket_regional_domain_name}`,
        origin_access_control_id: `\${${addressOf(stage, 'aws_cloudfront_origin_access_control')}.id}`,
      },
    ]);
  });

  it("serves HTTPS only, compressed, with the page's security headers, whose CSP lets it reach the API", () => {
    const cdn = resourcesOf(stage, 'aws_cloudfront_distribution')[0]!;
    expect(cdn.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: 'redirect-to-https',
      compress: true,
      allowed_methods: ['GET', 'HEAD'],
      cache_policy_id: CACHING_OPTIMIZED_POLICY_ID,
      response_headers_policy_id: `\${${addressOf(stage, 'aws_cloudfront_response_headers_policy')}.id}`,
    });
    const headers = resourcesOf(stage, 'aws_cloudfront_response_headers_policy')[0]!;
    const connect =
      stage === 'dev' ? 'https://*.execute-api.us-east-1.amazonaws.com' : expect.stringContaining('aws_lb.');
    const csp: string = headers.security_headers_config.content_security_policy.content_security_policy;
    expect(csp.replace(/connect-src [^;]*/, 'connect-src X')).toBe(
      pageSecurityHeaders(['X'])['content-security-policy']!.replace(/connect-src [^;]*/, 'connect-src X'),
    );
    expect(/connect-src 'self' ([^;]*)/.exec(csp)![1]).toEqual(connect);
    expect(headers.security_headers_config).toMatchObject({
      content_type_options: { override: true },
      frame_options: { frame_option: 'DENY' },
      referrer_policy: { referrer_policy: 'no-referrer' },
      strict_transport_security: { access_control_max_age_sec: 31_536_000 },
    });
  });

  it('uploads every file of the site with its content type and cache headers; config.json names the API', () => {
    const expected = siteFiles({ graphqlUrl: 'X', ide: stage === 'dev' });
    expect(objects.map((object) => object.key).sort()).toEqual(expected.map((file) => file.key).sort());
    for (const file of expected) {
      const object = objects.find((o) => o.key === file.key)!;
      expect([object.content_type, object.cache_control]).toEqual([file.contentType, file.cacheControl]);
      expect(object.bucket).toBe(`\${${siteBucketAddress}.id}`);
    }
    expect(expected.find((file) => file.key === 'index.html')!.cacheControl).toBe('no-cache');
    expect(expected.find((file) => file.key.endsWith('/app.js'))!.cacheControl).toMatch(/max-age=31536000/);
    const config = JSON.parse(objects.find((o) => o.key === 'config.json')!.content);
    expect(config.graphqlUrl).toEqual(
      stage === 'dev'
        ? `\${${addressOf(stage, 'aws_apigatewayv2_api')}.api_endpoint}/graphql`
        : expect.stringMatching(/^http:\/\/\$\{aws_lb\.[^}]+\.dns_name\}\/graphql$/),
    );
    // The IDE is published on dev's site only; prod's has the page alone.
    expect(config.ideUrl).toBe(stage === 'dev' ? 'ide.html' : null);
    expect(objects.some((o) => /ide/.test(o.key))).toBe(stage === 'dev');
    expect(json.output.site_url.value).toBe(`https://\${${distribution}.domain_name}/`);
  });

  it("puts the site's origin in the API's CORS origins", () => {
    const site = `https://\${${distribution}.domain_name}`;
    if (stage === 'dev') {
      const fn = resourcesOf(stage, 'aws_lambda_function')[0]!;
      expect(fn.environment.variables.CORS_ORIGINS).toBe(site);
      expect(fn.environment.variables.GRAPHQL_IDE).toBe('on');
      expect(resourcesOf(stage, 'aws_apigatewayv2_api')[0]!.cors_configuration.allow_origins).toEqual([site]);
    } else {
      const task = resourcesOf(stage, 'aws_ecs_task_definition')[0]!;
      const environment = JSON.parse(task.container_definitions)[0].environment as {
        name: string;
        value: string;
      }[];
      expect(environment).toContainEqual({ name: 'CORS_ORIGINS', value: site });
      expect(environment.find((variable) => variable.name === 'GRAPHQL_IDE')).toBeUndefined();
    }
  });
});

describe.each(['dev', 'prod'] as const)("the %s stage's dashboard and the API's own metrics", (stage) => {
  const [dashboard] = resourcesOf(stage, 'aws_cloudwatch_dashboard');
  const body = JSON.parse(dashboard!.dashboard_body) as {
    widgets: { properties: { title: string; metrics: unknown[][] } }[];
  };
  const metricsOf = (widget: (typeof body.widgets)[number]) =>
    widget.properties.metrics.map((metric) => ({
      namespace: metric[0] as string,
      name: metric[1] as string,
    }));

  it('shows the endpoint, its latency percentiles, its instances, and the API figures', () => {
    expect(dashboard!.dashboard_name).toBe(`calculator-${stage}`);
    const names = body.widgets.flatMap(metricsOf).map((metric) => `${metric.namespace} ${metric.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'AWS/SageMaker Invocations',
        'AWS/SageMaker Invocation4XXErrors',
        'AWS/SageMaker Invocation5XXErrors',
        'AWS/SageMaker ModelLatency',
        '/aws/sagemaker/Endpoints CPUUtilization',
        `Calculator/${stage} CalculationsPerInvocation`,
        `Calculator/${stage} QueueWaitMs`,
        `Calculator/${stage} RefusedOverloaded`,
        `Calculator/${stage} CircuitState`,
      ]),
    );
    const latency = body.widgets.find((widget) => widget.properties.title.startsWith('Model latency'))!;
    expect(latency.properties.metrics.map((metric) => (metric.at(-1) as { stat: string }).stat)).toEqual([
      'p50',
      'p95',
      'p99',
    ]);
  });

  it('names only metrics that AWS or the API publishes', () => {
    const unpublished = body.widgets
      .flatMap(metricsOf)
      .filter(({ namespace, name }) =>
        namespace === `Calculator/${stage}`
          ? !EMF_METRIC_NAMES.includes(name)
          : !(AWS_PUBLISHED_METRICS[namespace] ?? []).includes(name),
      );
    expect(unpublished).toEqual([]);
    // The alarms too.
    for (const alarm of resourcesOf(stage, 'aws_cloudwatch_metric_alarm')) {
      const published =
        alarm.namespace === `Calculator/${stage}`
          ? EMF_METRIC_NAMES
          : (AWS_PUBLISHED_METRICS[alarm.namespace] ?? []);
      expect([alarm.alarm_name, published.includes(alarm.metric_name)]).toEqual([alarm.alarm_name, true]);
    }
  });

  it('alarms on the calculations the API refuses for capacity, from the metric its logs publish', () => {
    const alarm = resourcesOf(stage, 'aws_cloudwatch_metric_alarm').find(
      (candidate) => candidate.alarm_name === `calculator-${stage}-api-refusals`,
    )!;
    expect(alarm).toMatchObject({
      namespace: `Calculator/${stage}`,
      metric_name: 'Refusals',
      statistic: 'Sum',
      threshold: configs[stage].alarms.apiRefusals,
      alarm_actions: [`\${${addressOf(stage, 'aws_sns_topic')}.arn}`],
    });
    const environment =
      stage === 'dev'
        ? resourcesOf(stage, 'aws_lambda_function')[0]!.environment.variables
        : Object.fromEntries(
            (
              JSON.parse(resourcesOf(stage, 'aws_ecs_task_definition')[0]!.container_definitions)[0]
                .environment as {
                name: string;
                value: string;
              }[]
            ).map((variable) => [variable.name, variable.value]),
          );
    expect(environment.EMF_NAMESPACE).toBe(`Calculator/${stage}`);
  });
});

describe("the prod site's page and an HTTPS API", () => {
  const api = prod.api as Extract<StageConfig['api'], { kind: 'fargate' }>;

  it('calls the API at its domain once it has a certificate (an HTTPS page may call only HTTPS)', () => {
    const withDomain = JSON.parse(
      synth({
        ...prod,
        stage: 'secure',
        api: {
          ...api,
          certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
          domainName: 'api.example.com',
        },
      }),
    );
    const objects = Object.values(withDomain.resource.aws_s3_object) as Json[];
    expect(JSON.parse(objects.find((o) => o.key === 'config.json')!.content).graphqlUrl).toBe(
      'https://api.example.com/graphql',
    );
    expect(withDomain.output.api_url.value).toBe('https://api.example.com/graphql');
    const [headers] = Object.values(withDomain.resource.aws_cloudfront_response_headers_policy) as Json[];
    expect(headers!.security_headers_config.content_security_policy.content_security_policy).toContain(
      "connect-src 'self' https://api.example.com;",
    );
  });

  it('refuses a domain without a certificate', () => {
    expect(() => synth({ ...prod, stage: 'nocert', api: { ...api, domainName: 'api.example.com' } })).toThrow(
      /api\.domainName: needs api\.certificateArn/,
    );
  });
});

describe('the private path from the prod API to its endpoint', () => {
  const endpoints = resourcesOf('prod', 'aws_vpc_endpoint');
  const groups = parsed('prod').resource.aws_security_group as Record<string, Json>;
  const groupAddress = (suffix: string) =>
    `aws_security_group.${Object.entries(groups).find(([, group]) => String(group.name).endsWith(suffix))![0]}`;

  it('has an interface endpoint for sagemaker.runtime with private DNS, in the tasks subnets', () => {
    const runtime = endpoints.find((endpoint) => endpoint.vpc_endpoint_type === 'Interface')!;
    expect(runtime).toMatchObject({
      service_name: 'com.amazonaws.us-east-1.sagemaker.runtime',
      private_dns_enabled: true,
      subnet_ids: '${var.private_subnet_ids}',
      security_group_ids: [`\${${groupAddress('-sagemaker-runtime')}.id}`],
    });
  });

  it("admits only the API tasks' security group to it", () => {
    const group = Object.values(groups).find((candidate) =>
      String(candidate.name).endsWith('-sagemaker-runtime'),
    )!;
    expect(group.ingress).toEqual([
      expect.objectContaining({
        from_port: 443,
        to_port: 443,
        protocol: 'tcp',
        security_groups: [`\${${groupAddress('-tasks')}.id}`],
      }),
    ]);
    expect(group.ingress[0].cidr_blocks ?? []).toEqual([]);
    expect(group.ingress[0].ipv6_cidr_blocks ?? []).toEqual([]);
    expect(group.egress).toEqual([]);
  });

  it("lets the task role invoke the stage's endpoint through it, and nothing else", () => {
    const runtime = endpoints.find((endpoint) => endpoint.vpc_endpoint_type === 'Interface')!;
    const endpointArn = `arn:\${${addressOf('prod', 'data.aws_partition')}.partition}:sagemaker:us-east-1:\${${addressOf('prod', 'data.aws_caller_identity')}.account_id}:endpoint/calculator-prod`;
    const taskRole = Object.entries(parsed('prod').resource.aws_iam_role as Record<string, Json>).find(
      ([, role]) => String(role.name).endsWith('-api-task'),
    )!;
    expect(JSON.parse(runtime.policy).Statement).toEqual([
      {
        Sid: 'InvokeThisEndpointOnly',
        Effect: 'Allow',
        Principal: { AWS: `\${aws_iam_role.${taskRole[0]}.arn}` },
        Action: 'sagemaker:InvokeEndpoint',
        Resource: endpointArn,
      },
    ]);
  });

  it('has an S3 gateway endpoint on the private route tables', () => {
    expect(endpoints.find((endpoint) => endpoint.vpc_endpoint_type === 'Gateway')).toMatchObject({
      service_name: 'com.amazonaws.us-east-1.s3',
      route_table_ids: '${var.private_route_table_ids}',
    });
    expect(parsed('prod').variable.private_route_table_ids.type).toBe('list(string)');
  });

  it('is left out where the stage turns it off, and the Lambda stage has none', () => {
    const api = prod.api as Extract<StageConfig['api'], { kind: 'fargate' }>;
    const off = JSON.parse(synth({ ...prod, stage: 'routed', api: { ...api, vpcEndpoints: false } }));
    expect(off.resource.aws_vpc_endpoint).toBeUndefined();
    expect(off.variable.private_route_table_ids).toBeUndefined();
    expect(resourcesOf('dev', 'aws_vpc_endpoint')).toEqual([]);
  });
});

describe('guards that fail the synth with a message naming the setting', () => {
  const instances = prod.endpoint as Extract<StageConfig['endpoint'], { kind: 'instances' }>;
  it.each<[string, StageConfig, RegExp]>([
    [
      'auto-scaling on a burstable instance',
      { ...prod, endpoint: { ...instances, instanceType: 'ml.t3.medium' } },
      /prod\.endpoint\.scaling: auto-scaling is not allowed on burstable instance type ml\.t3\.medium/,
    ],
    [
      'min > max',
      {
        ...prod,
        endpoint: { ...instances, scaling: { ...instances.scaling!, minCapacity: 6, maxCapacity: 5 } },
      },
      /prod\.endpoint\.scaling: minCapacity \(6\) must not exceed maxCapacity \(5\)/,
    ],
    [
      'a wildcard CORS origin',
      { ...dev, corsOrigins: ['*'] },
      /dev\.corsOrigins: must list origins such as https:\/\/app\.example\.com/,
    ],
    [
      'a WAF limit below what WAF takes',
      {
        ...prod,
        api: {
          ...(prod.api as Extract<StageConfig['api'], { kind: 'fargate' }>),
          wafRequestsPer5MinutesPerIp: 5,
        },
      },
      /prod\.api\.wafRequestsPer5MinutesPerIp: must be a whole number from 10 to 2000000000/,
    ],
    [
      'serverless with data capture',
      { ...prod, endpoint: { kind: 'serverless', memoryMb: 2048, maxConcurrency: 10 } },
      /prod\.dataCapture: data capture is not supported with serverless inference/,
    ],
    [
      'serverless memory off the 1024 steps',
      { ...dev, endpoint: { kind: 'serverless', memoryMb: 1500, maxConcurrency: 10 } },
      /dev\.endpoint\.memoryMb: must be 1024 to 6144 in steps of 1024, got 1500/,
    ],
    [
      'serverless concurrency over 200',
      { ...dev, endpoint: { kind: 'serverless', memoryMb: 1024, maxConcurrency: 201 } },
      /dev\.endpoint\.maxConcurrency: must be a whole number from 1 to 200, got 201/,
    ],
    [
      'an empty container image tag',
      { ...dev, images: { ...dev.images, containerTag: '' } },
      /dev\.images\.containerTag: must be a non-empty image tag/,
    ],
    [
      'an empty API image tag',
      { ...dev, images: { ...dev.images, apiTag: ' ' } },
      /dev\.images\.apiTag: must be a non-empty image tag/,
    ],
    ['a bad region', { ...dev, region: 'mars-1' }, /dev\.region: must be an AWS region/],
    [
      'a zero alarm threshold',
      { ...dev, alarms: { ...dev.alarms, modelLatencyP95Ms: 0 } },
      /dev\.alarms\.modelLatencyP95Ms: must be greater than 0/,
    ],
    [
      'a log retention CloudWatch does not offer',
      { ...dev, logRetentionDays: 10 },
      /dev\.logRetentionDays: must be one of CloudWatch's retention periods/,
    ],
    [
      'a canary on a serverless endpoint',
      {
        ...dev,
        endpoint: { kind: 'serverless', memoryMb: 1024, maxConcurrency: 10 },
        rollout: { kind: 'canary', canaryPercent: 10, waitSeconds: 600 },
      },
      /dev\.rollout: canary traffic shifting needs instances; a serverless endpoint takes kind 'all-at-once'/,
    ],
    [
      'a canary of more than half the fleet',
      { ...prod, rollout: { kind: 'canary', canaryPercent: 60, waitSeconds: 600 } },
      /prod\.rollout\.canaryPercent: must be a whole percentage from 1 to 50, got 60/,
    ],
    [
      'a baking wait past an hour',
      { ...prod, rollout: { kind: 'canary', canaryPercent: 10, waitSeconds: 4000 } },
      /prod\.rollout\.waitSeconds: must be a whole number of seconds from 0 to 3600, got 4000/,
    ],
  ])('refuses %s', (_name, config, message) => {
    expect(() => synth(config)).toThrow(message);
  });

  it('refuses a model package version that calculator deploy did not record', () => {
    expect(() => synth({ ...dev, modelPackageVersion: 7 }, RECORDED)).toThrow(
      /dev\.modelPackageVersion: version 7 is not the version recorded for dev in cdktf\/deployments\.json \(recorded: 3\); record it with calculator deploy --stage dev --version 7, which first checks that it is Approved/,
    );
    expect(() => synth(prod, { prod: { history: [] } })).toThrow(
      /version 3 is not the version recorded for prod .*\(none recorded\)/,
    );
  });

  it('refuses a stage the deployments file has no entry for, rather than drop its endpoint', () => {
    expect(() => synth(dev, { prod: RECORDED.prod! })).toThrow(
      /dev: no entry in cdktf\/deployments\.json, so the stage would have no endpoint \(and an apply would delete one\); restore its record, or for a new stage with no version yet add "dev": \{ "history": \[\] \}/,
    );
  });
});

describe('a stage with no version deployed yet', () => {
  const json = synth({ ...STAGES.dev!, modelPackageVersion: undefined }, { dev: { history: [] } });
  const fresh: Json = JSON.parse(json);

  it('has its registry, bucket and API, and no model or endpoint until calculator deploy records one', () => {
    // The committed file starts every stage at version 1, the first one registered.
    expect([STAGES.dev!.modelPackageVersion, STAGES.prod!.modelPackageVersion]).toEqual([1, 1]);
    expect(json).toHaveResourceWithProperties(SagemakerModelPackageGroup, {
      model_package_group_name: 'calculator-dev',
    });
    for (const type of [
      'aws_sagemaker_model',
      'aws_sagemaker_endpoint_configuration',
      'aws_sagemaker_endpoint',
    ])
      expect(fresh.resource[type]).toBeUndefined();
    expect(fresh.resource.aws_lambda_function).toBeDefined();
    expect(fresh.output.model_package_version.value).toBe('none');
    expect(fresh.output.endpoint_name.description).toMatch(/calculator deploy --stage STAGE --version N/);
  });

  it('changes only what serves the model when a version is then recorded', () => {
    const types = (stack: Json) => Object.keys(stack.resource).sort();
    const added = types(parsed('dev')).filter((type) => !types(fresh).includes(type));
    expect(added).toEqual([
      'aws_sagemaker_endpoint',
      'aws_sagemaker_endpoint_configuration',
      'aws_sagemaker_model',
    ]);
  });
});

/** Every string in the synthesized JSON. */
function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) yield* stringsOf(item);
}

/** The `${...}` expressions of a string; throws on an unbalanced one. */
function interpolations(text: string): string[] {
  const found: string[] = [];
  for (let start = text.indexOf('${'); start !== -1; start = text.indexOf('${', start + 2)) {
    let depth = 0;
    let end = start + 1;
    let quoted = false;
    for (; end < text.length; end += 1) {
      const char = text[end];
      if (char === '"' && text[end - 1] !== '\\') quoted = !quoted;
      if (quoted) continue;
      if (char === '{') depth += 1;
      if (char === '}' && --depth === 0) break;
    }
    if (depth !== 0)
      throw new Error(`unbalanced interpolation in ${JSON.stringify(text.slice(start, start + 80))}`);
    found.push(text.slice(start + 2, end));
  }
  return found;
}

/**
 * What terraform validate would say of a synthesized stack's references: unbalanced interpolations, and
 * references to resources, data sources and variables it does not declare.
 */
function referenceProblems(json: any): { problems: string[]; references: number } {
  const declared = new Set<string>();
  for (const [type, blocks] of Object.entries(json.resource ?? {}))
    for (const name of Object.keys(blocks as object)) declared.add(`${type}.${name}`);
  for (const [type, blocks] of Object.entries(json.data ?? {}))
    for (const name of Object.keys(blocks as object)) declared.add(`data.${type}.${name}`);
  for (const name of Object.keys(json.variable ?? {})) declared.add(`var.${name}`);
  const problems: string[] = [];
  let references = 0;
  for (const text of stringsOf({
    resource: json.resource,
    data: json.data,
    output: json.output,
    provider: json.provider,
  })) {
    let expressions: string[];
    try {
      expressions = interpolations(text);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    for (const expression of expressions) {
      for (const match of expression.matchAll(
        /\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|aws_[a-z0-9_]+\.[A-Za-z0-9_-]+|var\.[A-Za-z0-9_]+)/g,
      )) {
        references += 1;
        if (!declared.has(match[1]!))
          problems.push(`undeclared reference ${match[1]} in ${JSON.stringify(text.slice(0, 80))}`);
      }
    }
  }
  return { problems, references };
}

describe.each(['dev', 'prod'] as const)(
  'the synthesized %s JSON (what terraform validate would check)',
  (stage) => {
    const json = parsed(stage);

    it('has balanced interpolations that reference only declared resources, data sources and variables', () => {
      const { problems, references } = referenceProblems(json);
      expect(problems).toEqual([]);
      expect(references).toBeGreaterThan(20);
    });

    it('reports an undeclared reference and an unbalanced interpolation put into the same stack', () => {
      const broken = structuredClone(json);
      const [type, blocks] = Object.entries(broken.resource as Record<string, Record<string, any>>)[0]!;
      const [name] = Object.keys(blocks);
      blocks[name!].tags = { Broken: '${aws_s3_bucket.nope.arn}', Open: '${var.stage' };
      expect(type).toMatch(/^aws_/);
      expect(referenceProblems(broken).problems).toEqual([
        expect.stringMatching(/^undeclared reference aws_s3_bucket\.nope in/),
        expect.stringMatching(/^unbalanced interpolation in "\$\{var\.stage/),
      ]);
    });
  },
);

describe('npm run synth', () => {
  it('writes both stages with plain node, no cdktn CLI', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-out-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'dist', 'cdktf', 'main.js')], {
        cwd: join(ROOT, 'cdktf'),
        env: { ...process.env, CDKTF_OUTDIR: outdir },
      });
      for (const stage of ['dev', 'prod']) {
        const file = join(outdir, 'stacks', `calculator-${stage}`, 'cdk.tf.json');
        expect(existsSync(file)).toBe(true);
        expect(JSON.parse(readFileSync(file, 'utf8')).terraform.backend.s3.key).toBe(
          `calculator/${stage}/terraform.tfstate`,
        );
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
