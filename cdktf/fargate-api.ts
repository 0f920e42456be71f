import { AppautoscalingPolicy } from '@cdktn/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktn/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktn/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktn/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktn/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { Lb } from '@cdktn/provider-aws/lib/lb';
import { LbListener } from '@cdktn/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktn/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktn/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktn/provider-aws/lib/vpc-endpoint';
import { TerraformVariable } from 'cdktn';
import { Construct } from 'constructs';
import { Wafv2WebAcl } from '@cdktn/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktn/provider-aws/lib/wafv2-web-acl-association';
import type { ApiAccess } from './api-access';
import { apiEnvironment, invokeEndpointStatement } from './api-environment';
import type { ArtifactStore } from './artifact-store';
import { assumeRolePolicy, policyDocument, pullImageStatements } from './iam-policy';
import type { InferenceEndpoint } from './inference-endpoint';
import type { ApiErrorMetric, HostedApi } from './monitoring';
import type { ApiHosting, StageConfig } from './stage-config';

const API_PORT = 4000;

/**
 * The API as an ECS Fargate service (the API image's default target) behind an Application Load
 * Balancer, scaled on CPU. The network is the account's own: its VPC and subnets are Terraform variables
 * (`vpc_id`, `public_subnet_ids`, `private_subnet_ids`) given at apply time.
 */
export class FargateApi extends Construct implements HostedApi {
  readonly url: string;
  readonly errorMetric: ApiErrorMetric;
  /** The SageMaker Runtime interface endpoint's security group, when the stage has the private path. */
  endpointGroup: SecurityGroup | undefined;

  constructor(
    scope: Construct,
    id: string,
    config: StageConfig,
    hosting: Extract<ApiHosting, { kind: 'fargate' }>,
    store: ArtifactStore,
    inference: InferenceEndpoint,
    access: ApiAccess,
    siteOrigin: string,
  ) {
    super(scope, id);
    const name = `calculator-${config.stage}-api`;
    const vpcId = new TerraformVariable(scope, 'vpc_id', {
      type: 'string',
      description: 'VPC for the API service',
    });
    const publicSubnets = new TerraformVariable(scope, 'public_subnet_ids', {
      type: 'list(string)',
      description: 'Subnets for the load balancer (at least two zones)',
    });
    const privateSubnets = new TerraformVariable(scope, 'private_subnet_ids', {
      type: 'list(string)',
      description: 'Subnets for the API tasks, with a route to SageMaker Runtime and ECR',
    });

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/ecs/${name}`,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: store.key.arn,
    });
    const executionRole = new IamRole(this, 'execution-role', {
      name: `${name}-execution`,
      assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    });
    new IamRolePolicy(this, 'execution-policy', {
      name: 'least-privilege',
      role: executionRole.id,
      policy: policyDocument([
        ...pullImageStatements('PullApiImage', store.apiRepository.arn),
        { Sid: 'DecryptImageLayers', Effect: 'Allow', Action: 'kms:Decrypt', Resource: store.key.arn },
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${logGroup.arn}:*`,
        },
      ]),
    });
    const taskRole = new IamRole(this, 'task-role', {
      name: `${name}-task`,
      assumeRolePolicy: assumeRolePolicy('ecs-tasks.amazonaws.com'),
    });
    new IamRolePolicy(this, 'task-policy', {
      name: 'least-privilege',
      role: taskRole.id,
      policy: policyDocument([
        invokeEndpointStatement(inference.endpointArn),
        ...access.statements(config, store),
      ]),
    });

    const loadBalancerGroup = new SecurityGroup(this, 'lb-security-group', {
      name: `${name}-lb`,
      description: 'HTTP(S) from the internet to the API load balancer',
      vpcId: vpcId.stringValue,
      ingress: [
        {
          description: 'HTTP',
          protocol: 'tcp',
          fromPort: 80,
          toPort: 80,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: ['::/0'],
        },
        {
          description: 'HTTPS',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: ['::/0'],
        },
      ],
      egress: [
        {
          description: 'to the tasks',
          protocol: 'tcp',
          fromPort: API_PORT,
          toPort: API_PORT,
          cidrBlocks: ['0.0.0.0/0'],
        },
      ],
    });
    const taskGroup = new SecurityGroup(this, 'task-security-group', {
      name: `${name}-tasks`,
      description: 'The API tasks: the load balancer in, HTTPS out (SageMaker Runtime, ECR, logs)',
      vpcId: vpcId.stringValue,
      ingress: [
        {
          description: 'from the load balancer',
          protocol: 'tcp',
          fromPort: API_PORT,
          toPort: API_PORT,
          securityGroups: [loadBalancerGroup.id],
        },
      ],
      egress: [
        {
          description: 'HTTPS to AWS APIs',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ['0.0.0.0/0'],
        },
      ],
    });

    if (hosting.vpcEndpoints) {
      this.privatePathToSageMaker(config, name, vpcId, privateSubnets, taskGroup, taskRole, inference);
    }

    const loadBalancer = new Lb(this, 'lb', {
      name: `${name}`.slice(0, 32),
      loadBalancerType: 'application',
      securityGroups: [loadBalancerGroup.id],
      subnets: publicSubnets.listValue,
      dropInvalidHeaderFields: true,
      idleTimeout: 60,
    });
    const targetGroup = new LbTargetGroup(this, 'targets', {
      name: `${name}`.slice(0, 32),
      port: API_PORT,
      protocol: 'HTTP',
      targetType: 'ip',
      vpcId: vpcId.stringValue,
      deregistrationDelay: '15',
      healthCheck: {
        path: '/health/live',
        matcher: '200',
        interval: 15,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    });
    const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
    let serving: LbListener;
    if (hosting.certificateArn) {
      serving = new LbListener(this, 'https', {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        certificateArn: hosting.certificateArn,
        defaultAction: forward,
      });
      new LbListener(this, 'http', {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [
          { type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' } },
        ],
      });
    } else {
      serving = new LbListener(this, 'http', {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: forward,
      });
    }
    // /metrics names every API key's id and its traffic: scraped inside the VPC from the tasks, never
    // served to the internet.
    new LbListenerRule(this, 'no-public-metrics', {
      listenerArn: serving.arn,
      priority: 1,
      condition: [{ pathPattern: { values: ['/metrics', '/metrics/*'] } }],
      action: [
        {
          type: 'fixed-response',
          fixedResponse: {
            contentType: 'application/json',
            statusCode: '404',
            messageBody: JSON.stringify({
              errors: [{ message: 'No route GET /metrics', extensions: { code: 'NOT_FOUND' } }],
            }),
          },
        },
      ],
    });

    // The fleet's limit, before any request reaches a task: an IP over its rate is blocked at the load
    // balancer. Per-key quotas (429) are the API's own.
    const webAcl = new Wafv2WebAcl(this, 'waf', {
      name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        {
          name: 'rate-per-ip',
          priority: 1,
          action: { block: {} },
          // The provider types `statement` loosely and passes it on as written: Terraform's own names.
          statement: {
            rate_based_statement: {
              limit: hosting.wafRequestsPer5MinutesPerIp,
              evaluation_window_sec: 300,
              aggregate_key_type: 'IP',
            },
          },
          visibilityConfig: {
            cloudwatchMetricsEnabled: true,
            metricName: `${name}-rate-per-ip`,
            sampledRequestsEnabled: true,
          },
        },
      ],
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    new Wafv2WebAclAssociation(this, 'waf-association', {
      resourceArn: loadBalancer.arn,
      webAclArn: webAcl.arn,
    });

    const cluster = new EcsCluster(this, 'cluster', {
      name,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    const environment = {
      ...apiEnvironment(inference.endpointName, config.stage),
      ...access.environment(config, siteOrigin),
      AWS_REGION: config.region,
      PORT: String(API_PORT),
    };
    const task = new EcsTaskDefinition(this, 'task', {
      family: name,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(hosting.cpu),
      memory: String(hosting.memoryMb),
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      containerDefinitions: JSON.stringify([
        {
          name: 'api',
          image: `${store.apiRepository.repositoryUrl}:${config.images.apiTag}`,
          essential: true,
          readonlyRootFilesystem: true,
          portMappings: [{ containerPort: API_PORT, protocol: 'tcp' }],
          environment: Object.entries(environment).map(([key, value]) => ({ name: key, value })),
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': logGroup.name,
              'awslogs-region': config.region,
              'awslogs-stream-prefix': 'api',
            },
          },
        },
      ]),
    });
    const service = new EcsService(this, 'service', {
      name,
      cluster: cluster.id,
      taskDefinition: task.arn,
      launchType: 'FARGATE',
      desiredCount: hosting.minCount,
      networkConfiguration: {
        subnets: privateSubnets.listValue,
        securityGroups: [taskGroup.id],
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: targetGroup.arn, containerName: 'api', containerPort: API_PORT }],
      deploymentCircuitBreaker: { enable: true, rollback: true },
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: [loadBalancer],
    });
    const scaling = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      resourceId: `service/${cluster.name}/${service.name}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: hosting.minCount,
      maxCapacity: hosting.maxCount,
    });
    new AppautoscalingPolicy(this, 'scaling-policy', {
      name: `${name}-cpu`,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: scaling.serviceNamespace,
      resourceId: scaling.resourceId,
      scalableDimension: scaling.scalableDimension,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: hosting.targetCpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
    // With a certificate, the API is at the domain it names (its DNS record pointing at the load balancer).
    this.url = hosting.certificateArn
      ? `https://${hosting.domainName ?? loadBalancer.dnsName}`
      : `http://${loadBalancer.dnsName}`;
    this.errorMetric = {
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions: { LoadBalancer: loadBalancer.arnSuffix },
    };
  }

  /**
   * The tasks reach SageMaker Runtime through an interface endpoint in their subnets (private DNS, so the
   * SDK's usual hostname resolves to it) that admits HTTPS from the tasks' security group only and whose
   * policy allows the task role to invoke this stage's endpoint and nothing else; and S3 (ECR's image
   * layers) through a gateway endpoint on the private subnets' route tables.
   */
  private privatePathToSageMaker(
    config: StageConfig,
    name: string,
    vpcId: TerraformVariable,
    privateSubnets: TerraformVariable,
    taskGroup: SecurityGroup,
    taskRole: IamRole,
    inference: InferenceEndpoint,
  ): void {
    const routeTables = new TerraformVariable(this.node.scope!, 'private_route_table_ids', {
      type: 'list(string)',
      description: 'Route tables of the private subnets, for the S3 gateway endpoint',
    });
    this.endpointGroup = new SecurityGroup(this, 'sagemaker-runtime-endpoint-security-group', {
      name: `${name}-sagemaker-runtime`,
      description: 'HTTPS from the API tasks only, to the SageMaker Runtime interface endpoint',
      vpcId: vpcId.stringValue,
      ingress: [
        {
          description: 'HTTPS from the API tasks',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          securityGroups: [taskGroup.id],
        },
      ],
      egress: [],
    });
    new VpcEndpoint(this, 'sagemaker-runtime-endpoint', {
      vpcId: vpcId.stringValue,
      serviceName: `com.amazonaws.${config.region}.sagemaker.runtime`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: privateSubnets.listValue,
      securityGroupIds: [this.endpointGroup.id],
      policy: policyDocument([
        { ...invokeEndpointStatement(inference.endpointArn), Principal: { AWS: taskRole.arn } },
      ]),
    });
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: vpcId.stringValue,
      serviceName: `com.amazonaws.${config.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: routeTables.listValue,
    });
  }
}
