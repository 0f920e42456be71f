import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktn';
import type { Construct } from 'constructs';
import { ApiAccess } from './api-access';
import { ArtifactStore } from './artifact-store';
import { FargateApi } from './fargate-api';
import { endpointNameOf, InferenceEndpoint } from './inference-endpoint';
import { LambdaApi } from './lambda-api';
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
    const api: HostedApi =
      config.api.kind === 'lambda'
        ? new LambdaApi(this, 'api', config, config.api, store, inference, access)
        : new FargateApi(this, 'api', config, config.api, store, inference, access);
    monitoring.watchApi(config, api.errorMetric);

    new TerraformOutput(this, 'api_url', { value: `${api.url}/graphql`, description: 'POST GraphQL here' });
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
