import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
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
 * Alarms to a KMS-encrypted SNS topic: the endpoint's Invocation5XXErrors, its p95 ModelLatency (which
 * CloudWatch reports in microseconds), and the API's 5xx answers.
 */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, config: StageConfig, store: ArtifactStore, endpointName: string) {
    super(scope, id);
    const prefix = `calculator-${config.stage}`;
    this.topic = new SnsTopic(this, 'alarms', { name: `${prefix}-alarms`, kmsMasterKeyId: store.key.arn });
    if (config.alarms.email) {
      new SnsTopicSubscription(this, 'email', {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: config.alarms.email,
      });
    }
    const actions = { alarmActions: [this.topic.arn], okActions: [this.topic.arn] };
    const endpointDimensions = { EndpointName: endpointName, VariantName: VARIANT_NAME };

    new CloudwatchMetricAlarm(this, 'endpoint-5xx', {
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
      treatMissingData: 'notBreaching',
      ...actions,
    });
    new CloudwatchMetricAlarm(this, 'model-latency-p95', {
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
      treatMissingData: 'notBreaching',
      ...actions,
    });
  }

  /** Adds the alarm on the API's 5xx answers, once the API's metric is known. */
  watchApi(config: StageConfig, metric: ApiErrorMetric): void {
    new CloudwatchMetricAlarm(this, 'api-5xx', {
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
      treatMissingData: 'notBreaching',
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
  }
}
