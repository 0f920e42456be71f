/**
 * The API's environment in AWS: SageMaker mode, production defaults (IDE off). AWS_REGION is set by
 * Lambda itself (and may not be set by us there); Fargate tasks get it from the caller.
 */
export function apiEnvironment(endpointName: string, stage: string): Record<string, string> {
  return {
    SAGEMAKER_ENDPOINT_NAME: endpointName,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    // The batching figures, as CloudWatch metrics from the logs (the dashboard and the refusal alarm).
    EMF_NAMESPACE: apiMetricsNamespace(stage),
  };
}

/** Where a stage's API publishes its own metrics (Embedded Metric Format in its logs). */
export function apiMetricsNamespace(stage: string): string {
  return `Calculator/${stage}`;
}

/** The one IAM statement the API needs of SageMaker: InvokeEndpoint on exactly this endpoint. */
export function invokeEndpointStatement(endpointArn: string) {
  return {
    Sid: 'InvokeThisEndpointOnly',
    Effect: 'Allow' as const,
    Action: 'sagemaker:InvokeEndpoint',
    Resource: endpointArn,
  };
}
