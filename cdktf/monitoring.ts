import type { CloudwatchMetricAlarmConfig } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchDashboard } from '@cdktn/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktn/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { EMF_METRICS, EMF_REFUSAL_METRICS } from '../src/observability/emf';
import { apiMetricsNamespace } from './api-environment';
import type { ArtifactStore } from './artifact-store';
import { policyDocument } from './iam-policy';
import { VARIANT_NAME } from './inference-endpoint';
import type { StageConfig } from './stage-config';

/** The API metric an alarm watches: where it lives and which dimensions name this stage's API. */
export interface ApiErrorMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** What the stack needs of wherever the API is hosted (Lambda or Fargate). */
export interface HostedApi {
  /** The API's base URL. */
  readonly url: string;
  /** Its 5xx metric, for the API alarm. */
  readonly errorMetric: ApiErrorMetric;
}

/**
 * The metrics AWS publishes that the dashboard and alarms name, by namespace, as the services document
 * them: SageMaker's endpoint invocation metrics and instance metrics
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html), API Gateway HTTP APIs'
 * and Application Load Balancers'. A test checks every metric of the dashboard is one of these or one the
 * API publishes itself (EMF_METRIC_NAMES).
 */
export const AWS_PUBLISHED_METRICS: Readonly<Record<string, readonly string[]>> = {
  'AWS/SageMaker': [
    'Invocations',
    'Invocation4XXErrors',
    'Invocation5XXErrors',
    'InvocationModelErrors',
    'ModelLatency',
    'OverheadLatency',
    'InvocationsPerInstance',
  ],
  '/aws/sagemaker/Endpoints': ['CPUUtilization', 'MemoryUtilization', 'DiskUtilization'],
  'AWS/ApiGateway': ['Count', '4xx', '5xx', 'Latency', 'IntegrationLatency'],
  'AWS/ApplicationELB': [
    'RequestCount',
    'HTTPCode_Target_5XX_Count',
    'HTTPCode_ELB_5XX_Count',
    'TargetResponseTime',
  ],
};

/** The model registry's approval events (EventBridge), which the stage's topic is told of. */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

/**
 * Alarms to a KMS-encrypted SNS topic: the endpoint's Invocation5XXErrors, its p95 ModelLatency (which
 * CloudWatch reports in microseconds), the new fleet's invocation errors during an update, and the API's
 * 5xx answers; and the registry's approvals and rejections, through EventBridge, to the same topic.
 */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;
  /** The alarms on the whole endpoint, which also roll back an endpoint update. */
  readonly endpointAlarms: readonly CloudwatchMetricAlarm[];
  private readonly prefix: string;

  constructor(scope: Construct, id: string, config: StageConfig, store: ArtifactStore, endpointName: string) {
    super(scope, id);
    const prefix = `calculator-${config.stage}`;
    this.prefix = prefix;
    this.topic = new SnsTopic(this, 'alarms', { name: `${prefix}-alarms`, kmsMasterKeyId: store.key.arn });
    if (config.alarms.email) {
      new SnsTopicSubscription(this, 'email', {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: config.alarms.email,
      });
    }
    const endpointDimensions = { EndpointName: endpointName, VariantName: VARIANT_NAME };

    const endpoint5xx = this.alarm('endpoint-5xx', {
      alarmName: `${prefix}-endpoint-5xx`,
      alarmDescription: 'The calculator endpoint answered with 5XX errors.',
      namespace: 'AWS/SageMaker',
      metricName: 'Invocation5XXErrors',
      dimensions: endpointDimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: config.alarms.invocation5xxErrors,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const latency = this.alarm('model-latency-p95', {
      alarmName: `${prefix}-model-latency-p95`,
      alarmDescription: `p95 ModelLatency above ${config.alarms.modelLatencyP95Ms} ms.`,
      namespace: 'AWS/SageMaker',
      metricName: 'ModelLatency',
      dimensions: endpointDimensions,
      extendedStatistic: 'p95',
      unit: 'Microseconds',
      period: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: config.alarms.modelLatencyP95Ms * 1000,
      comparisonOperator: 'GreaterThanThreshold',
    });
    this.endpointAlarms = [endpoint5xx, latency];
  }

  /**
   * The alarm on the new fleet of an endpoint update: its invocation errors, by the new endpoint
   * configuration's name (the dimension SageMaker publishes per fleet during a blue/green update), one
   * minute at a time, so a bad canary is rolled back within its baking wait.
   */
  watchNewFleet(
    config: StageConfig,
    endpointName: string,
    endpointConfigName: string,
  ): CloudwatchMetricAlarm {
    return this.alarm('new-fleet-invocation-errors', {
      alarmName: `${this.prefix}-new-fleet-invocation-errors`,
      alarmDescription: 'The endpoint configuration being deployed answered with invocation errors.',
      namespace: 'AWS/SageMaker',
      metricName: 'InvocationModelErrors',
      dimensions: {
        EndpointName: endpointName,
        VariantName: VARIANT_NAME,
        EndpointConfigName: endpointConfigName,
      },
      statistic: 'Sum',
      period: 60,
      evaluationPeriods: 1,
      threshold: config.alarms.invocation5xxErrors,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }

  /**
   * Tells the topic when a version in the stage's model package group is approved or rejected: an
   * EventBridge rule on the registry's state changes, and the topic policy that lets EventBridge (and
   * CloudWatch alarms, whose access the policy would otherwise take away) publish to it.
   */
  notifyRegistryChanges(config: StageConfig, store: ArtifactStore, modelPackageGroupName: string): void {
    const rule = new CloudwatchEventRule(this, 'model-package-state', {
      name: `${this.prefix}-model-package-state`,
      description: `Approvals and rejections of ${modelPackageGroupName} versions, to ${this.prefix}-alarms.`,
      eventPattern: JSON.stringify({
        source: ['aws.sagemaker'],
        'detail-type': [MODEL_PACKAGE_STATE_CHANGE],
        detail: {
          ModelPackageGroupName: [modelPackageGroupName],
          ModelApprovalStatus: ['Approved', 'Rejected'],
        },
      }),
    });
    new CloudwatchEventTarget(this, 'model-package-state-to-topic', {
      rule: rule.name,
      targetId: 'alarms-topic',
      arn: this.topic.arn,
    });
    const account = store.accountId;
    new SnsTopicPolicy(this, 'topic-policy', {
      arn: this.topic.arn,
      policy: policyDocument([
        {
          Sid: 'AccountManagesTopic',
          Effect: 'Allow',
          Principal: { AWS: `arn:${store.partition}:iam::${account}:root` },
          Action: [
            'sns:GetTopicAttributes',
            'sns:SetTopicAttributes',
            'sns:Subscribe',
            'sns:ListSubscriptionsByTopic',
            'sns:Publish',
          ],
          Resource: this.topic.arn,
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: {
            ArnLike: {
              'aws:SourceArn': `arn:${store.partition}:cloudwatch:${config.region}:${account}:alarm:${this.prefix}-*`,
            },
          },
        },
        {
          Sid: 'RegistryEventsPublish',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } },
        },
      ]),
    });
  }

  /**
   * Adds what watches the API, once its metric is known: the alarm on its 5xx answers, the alarm on the
   * calculations it refuses for capacity (its own EMF metric), and the stage's dashboard.
   */
  watchApi(config: StageConfig, metric: ApiErrorMetric, endpointName: string): void {
    this.alarm('api-refusals', {
      alarmName: `calculator-${config.stage}-api-refusals`,
      alarmDescription:
        'The API refused calculations for capacity (OVERLOADED, deadlines, an open circuit): the endpoint needs more instances, or is failing.',
      namespace: apiMetricsNamespace(config.stage),
      metricName: EMF_METRICS.refusals,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: config.alarms.apiRefusals,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    this.dashboard(config, metric, endpointName);
    this.alarm('api-5xx', {
      alarmName: `calculator-${config.stage}-api-5xx`,
      alarmDescription: 'The GraphQL API answered with 5xx errors.',
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: config.alarms.api5xxErrors,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }

  /** One dashboard per stage: the endpoint, its instances, and the API's own figures. */
  private dashboard(config: StageConfig, apiErrors: ApiErrorMetric, endpointName: string): void {
    const endpoint = ['EndpointName', endpointName, 'VariantName', VARIANT_NAME];
    const api = apiMetricsNamespace(config.stage);
    const widget = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
      type: 'metric',
      width: 12,
      height: 6,
      properties: { title, region: config.region, view: 'timeSeries', period: 60, metrics, ...extra },
    });
    const widgets = [
      widget('Endpoint invocations', [['AWS/SageMaker', 'Invocations', ...endpoint, { stat: 'Sum' }]]),
      widget('Endpoint errors (4XX: bad requests; 5XX: the model failed)', [
        ['AWS/SageMaker', 'Invocation4XXErrors', ...endpoint, { stat: 'Sum' }],
        ['AWS/SageMaker', 'Invocation5XXErrors', ...endpoint, { stat: 'Sum' }],
      ]),
      widget(
        'Model latency (microseconds)',
        ['p50', 'p95', 'p99'].map((stat) => [
          'AWS/SageMaker',
          'ModelLatency',
          ...endpoint,
          { stat, label: stat },
        ]),
      ),
      ...(config.endpoint.kind === 'instances'
        ? [
            widget('Endpoint instances and CPU', [
              // Each instance reports once a minute: the sample count is the number of instances serving.
              [
                '/aws/sagemaker/Endpoints',
                'CPUUtilization',
                ...endpoint,
                { stat: 'SampleCount', label: 'instances', yAxis: 'right' },
              ],
              [
                '/aws/sagemaker/Endpoints',
                'CPUUtilization',
                ...endpoint,
                { stat: 'Average', label: 'CPU % (all cores)' },
              ],
            ]),
          ]
        : []),
      widget('API: calculations per invocation, and invocations', [
        [api, EMF_METRICS.calculationsPerInvocation, { stat: 'Average' }],
        [api, EMF_METRICS.invocations, { stat: 'Sum', yAxis: 'right' }],
      ]),
      widget('API: queue wait (ms) and the endpoint circuit (0 closed, 1 half-open, 2 open)', [
        [api, EMF_METRICS.queueWaitMs, { stat: 'Average' }],
        [api, EMF_METRICS.circuitState, { stat: 'Maximum', yAxis: 'right' }],
      ]),
      widget('API: calculations refused, by reason', [
        ...Object.values(EMF_REFUSAL_METRICS).map((name) => [api, name, { stat: 'Sum' }]),
      ]),
      widget('API: 5xx answers', [
        [
          apiErrors.namespace,
          apiErrors.metricName,
          ...Object.entries(apiErrors.dimensions).flat(),
          { stat: 'Sum' },
        ],
      ]),
    ];
    new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `calculator-${config.stage}`,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }

  /** An alarm to the stage's topic, in ALARM and back to OK; no data (no traffic) is not a breach. */
  private alarm(id: string, config: Omit<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions'>) {
    return new CloudwatchMetricAlarm(this, id, {
      treatMissingData: 'notBreaching',
      ...config,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
  }
}
