import { Apigatewayv2Api } from '@cdktn/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Integration } from '@cdktn/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktn/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktn/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import type { ApiAccess } from './api-access';
import { corsConfiguration } from './api-access';
import { apiEnvironment, invokeEndpointStatement } from './api-environment';
import type { ArtifactStore } from './artifact-store';
import { assumeRolePolicy, policyDocument } from './iam-policy';
import type { InferenceEndpoint } from './inference-endpoint';
import type { ApiErrorMetric, HostedApi } from './monitoring';
import type { ApiHosting, StageConfig } from './stage-config';

/** The API as a Lambda function (the API image's lambda target) behind an API Gateway HTTP API. */
export class LambdaApi extends Construct implements HostedApi {
  readonly url: string;
  readonly errorMetric: ApiErrorMetric;

  constructor(
    scope: Construct,
    id: string,
    config: StageConfig,
    hosting: Extract<ApiHosting, { kind: 'lambda' }>,
    store: ArtifactStore,
    inference: InferenceEndpoint,
    access: ApiAccess,
    siteOrigin: string,
  ) {
    super(scope, id);
    const name = `calculator-${config.stage}-api`;
    const logGroup = new CloudwatchLogGroup(this, 'function-logs', {
      name: `/aws/lambda/${name}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: store.key.arn,
    });
    const role = new IamRole(this, 'role', {
      name,
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
    });
    const rolePolicy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: role.id,
      policy: policyDocument([
        invokeEndpointStatement(inference.endpointArn),
        ...access.statements(config, store),
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:*`,
        },
      ]),
    });
    const fn = new LambdaFunction(this, 'function', {
      functionName: name,
      role: role.arn,
      packageType: 'Image',
      imageUri: `${store.apiRepository.repositoryUrl}:${config.images.apiTag}`,
      memorySize: hosting.memoryMb,
      timeout: hosting.timeoutSeconds,
      architectures: ['x86_64'],
      environment: {
        variables: {
          ...apiEnvironment(inference.endpointName, config.stage),
          ...access.environment(config, siteOrigin),
        },
      },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      dependsOn: [rolePolicy],
    });

    // With CORS configured, API Gateway answers preflights itself and adds the same headers the API would.
    const api = new Apigatewayv2Api(this, 'http-api', {
      name,
      protocolType: 'HTTP',
      corsConfiguration: corsConfiguration(config, siteOrigin),
    });
    const integration = new Apigatewayv2Integration(this, 'integration', {
      apiId: api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: fn.invokeArn,
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: hosting.timeoutSeconds * 1000,
    });
    new Apigatewayv2Route(this, 'graphql', {
      apiId: api.id,
      routeKey: 'POST /graphql',
      target: `integrations/${integration.id}`,
    });
    new Apigatewayv2Route(this, 'default', {
      apiId: api.id,
      routeKey: '$default',
      target: `integrations/${integration.id}`,
    });
    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${name}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: store.key.arn,
    });
    new Apigatewayv2Stage(this, 'stage', {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingBurstLimit: hosting.throttle.burstLimit,
        throttlingRateLimit: hosting.throttle.rateLimit,
      },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          method: '$context.httpMethod',
          path: '$context.path',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
        }),
      },
    });
    new LambdaPermission(this, 'invoke-permission', {
      statementId: 'AllowHttpApi',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${api.executionArn}/*/*`,
    });
    // The API's own endpoint: the $default stage's invoke URL ends in a slash, which would make //graphql.
    this.url = api.apiEndpoint;
    this.errorMetric = {
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      dimensions: { ApiId: api.id, Stage: '$default' },
    };
  }
}
