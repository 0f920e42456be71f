import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { ApiAccess } from './api-access';
import { ArtifactStore } from './artifact-store';
import { FargateApi } from './fargate-api';
import { endpointNameOf, InferenceEndpoint } from './inference-endpoint';
import { LambdaApi } from './lambda-api';
import { StaticSite } from './static-site';
import type { HostedApi } from './monitoring';
import { Monitoring } from './monitoring';
import type { Deployments } from './deployments';
import { readDeployments } from './deployments';
import type { StageConfig } from './stage-config';
import { checkRecordedVersion, validateStageConfig } from './stage-config';

/**
 * One stage of the calculator: artifacts, the SageMaker endpoint and its registry, scaling, alarms and
 * the hosted API, with its state in S3. The endpoint serves the model package version the config names,
 * which must be the one recorded in `deployments` (cdktf/deployments.json).
 *
 * @throws StageConfigError when the config cannot be deployed, or names a version not recorded.
 */
export class CalculatorStack extends TerraformStack {
  constructor(
    scope: Construct,
    id: string,
    config: StageConfig,
    deployments: Deployments = readDeployments(),
  ) {
    super(scope, id);
    validateStageConfig(config);
    checkRecordedVersion(config, deployments);
    new S3Backend(this, {
      bucket: config.state.bucket,
      key: `calculator/${config.stage}/terraform.tfstate`,
      region: config.state.region,
      encrypt: true,
      useLockfile: true,
    });
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [
        { tags: { project: 'sagemaker-calculator', stage: config.stage, 'managed-by': 'cdktn' } },
      ],
    });

    const store = new ArtifactStore(this, 'artifacts', config);
    const monitoring = new Monitoring(this, 'monitoring', config, store, endpointNameOf(config));
    const inference = new InferenceEndpoint(this, 'inference', config, store, monitoring);
    monitoring.notifyRegistryChanges(config, store, inference.modelPackageGroupName);
    const access = new ApiAccess(this, 'access', config, store);
    const site = new StaticSite(this, 'site', config, store);
    const api: HostedApi =
      config.api.kind === 'lambda'
        ? new LambdaApi(this, 'api', config, config.api, store, inference, access, site.origin)
        : new FargateApi(this, 'api', config, config.api, store, inference, access, site.origin);
    // The page may connect to the API's origin. API Gateway's URL cannot be named (its CORS names the
    // site, whose headers would then name it: a cycle), so the Lambda stage allows the region's API
    // Gateway hosts; the load balancer's origin is named exactly.
    site.publish(
      `${api.url}/graphql`,
      config.api.kind === 'lambda' ? `https://*.execute-api.${config.region}.amazonaws.com` : api.url,
    );
    monitoring.watchApi(config, api.errorMetric, inference.endpointName);

    new TerraformOutput(this, 'api_url', { value: `${api.url}/graphql`, description: 'POST GraphQL here' });
    new TerraformOutput(this, 'site_url', {
      value: `${site.origin}/`,
      description: 'The calculator page (S3 and CloudFront)',
    });
    new TerraformOutput(this, 'endpoint_name', {
      value: inference.endpointName,
      description: inference.endpoint
        ? 'The SageMaker endpoint'
        : 'Not created yet: calculator deploy --stage STAGE --version N',
    });
    new TerraformOutput(this, 'model_package_version', {
      value: config.modelPackageVersion ?? 'none',
      description: `The approved version of ${inference.modelPackageGroupName} the endpoint serves`,
    });
    new TerraformOutput(this, 'artifact_bucket', { value: store.bucket.bucket });
    new TerraformOutput(this, 'ecr_repository_url', {
      value: store.modelRepository.repositoryUrl,
      description: 'The inference container',
    });
    new TerraformOutput(this, 'api_ecr_repository_url', { value: store.apiRepository.repositoryUrl });
    new TerraformOutput(this, 'api_keys_secret', {
      value: access.secret.arn,
      description: 'Put API_KEYS entries here (npm run calculator -- key create --id NAME)',
    });
  }
}
