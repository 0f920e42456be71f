import type { Deployments } from './deployments';

/** The SageMaker endpoint: provisioned instances (optionally auto-scaled) or serverless inference. */
export type EndpointCapacity =
  | {
      readonly kind: 'instances';
      readonly instanceType: string;
      readonly instanceCount: number;
      /** Target tracking on SageMakerVariantInvocationsPerInstance; not allowed on burstable ml.t* types. */
      readonly scaling?: {
        readonly minCapacity: number;
        readonly maxCapacity: number;
        readonly targetInvocationsPerInstance: number;
        readonly scaleInCooldownSeconds: number;
        readonly scaleOutCooldownSeconds: number;
      };
    }
  | {
      readonly kind: 'serverless';
      /** 1024 to 6144, in steps of 1024. */
      readonly memoryMb: number;
      /** 1 to 200. */
      readonly maxConcurrency: number;
    };

/** Traffic shifting for a blue/green endpoint update. */
export type Rollout =
  | {
      readonly kind: 'canary';
      /** Share of the new fleet's capacity that takes traffic first, 1 to 50 %. */
      readonly canaryPercent: number;
      /** How long the canary bakes, watched by the alarms, before the rest shifts (0 to 3600 s). */
      readonly waitSeconds: number;
    }
  | {
      readonly kind: 'all-at-once';
      /** How long the new fleet bakes, watched by the alarms, before the old one goes (0 to 3600 s). */
      readonly waitSeconds: number;
    };

/** Where the GraphQL API runs. */
export type ApiHosting =
  | {
      readonly kind: 'lambda';
      readonly memoryMb: number;
      readonly timeoutSeconds: number;
      readonly throttle: { readonly burstLimit: number; readonly rateLimit: number };
    }
  | {
      readonly kind: 'fargate';
      readonly cpu: number;
      readonly memoryMb: number;
      readonly minCount: number;
      readonly maxCount: number;
      readonly targetCpuPercent: number;
      /** An ACM certificate for HTTPS on the load balancer; HTTP only when absent. */
      readonly certificateArn?: string;
      /**
       * The domain the certificate is for, whose DNS record points at the load balancer: the API's URL,
       * and so the one the static site's page calls (an HTTPS page may call only HTTPS).
       */
      readonly domainName?: string;
      /**
       * The WAF rate-based rule on the load balancer: requests per client IP in any 5 minutes, past which
       * that IP is blocked (403) until its rate falls. Per-key quotas are the API's; this is the fleet's.
       */
      readonly wafRequestsPer5MinutesPerIp: number;
      /**
       * VPC endpoints for SageMaker Runtime (interface) and S3 (gateway), so invocations stay in the VPC;
       * off for accounts that route to AWS otherwise (their own endpoints, a proxy, Transit Gateway).
       */
      readonly vpcEndpoints: boolean;
    };

/** Everything that differs between stages, validated at synth time by {@link validateStageConfig}. */
export interface StageConfig {
  readonly stage: string;
  readonly region: string;
  /** The S3 backend holding this stage's Terraform state. */
  readonly state: { readonly bucket: string; readonly region: string };
  readonly images: {
    /** Tag of the inference container image in the stage's model repository. */
    readonly containerTag: string;
    /** Tag of the API image in the stage's API repository. */
    readonly apiTag: string;
  };
  /**
   * The approved model package version (in the stage's group, `calculator-<stage>`) the endpoint serves,
   * as `calculator deploy` recorded it in cdktf/deployments.json. Absent until the first deploy: the
   * stage then has its bucket, repositories and registry, and no endpoint yet.
   */
  readonly modelPackageVersion?: number;
  /**
   * How an update of the endpoint shifts traffic (SageMaker deployment guardrails, blue/green): a canary
   * share of the new fleet's capacity first, or everything at once; either way the old fleet stays until
   * the baking wait has passed with the stage's alarms quiet, and an alarm rolls the update back.
   */
  readonly rollout: Rollout;
  readonly endpoint: EndpointCapacity;
  /** Capture of requests and responses to the artifact bucket; not with serverless inference. */
  readonly dataCapture?: { readonly samplingPercent: number };
  readonly alarms: {
    /** Invocation5XXErrors in 5 minutes that raise the alarm. */
    readonly invocation5xxErrors: number;
    /** p95 ModelLatency, in milliseconds (converted to the metric's microseconds). */
    readonly modelLatencyP95Ms: number;
    /** API 5xx answers in 5 minutes that raise the alarm. */
    readonly api5xxErrors: number;
    /** Calculations the API refused for capacity (its EMF Refusals metric) in 5 minutes that raise the alarm. */
    readonly apiRefusals: number;
    readonly email?: string;
  };
  readonly api: ApiHosting;
  /**
   * Origins whose pages may call the API from a browser (CORS_ORIGINS, and API Gateway's
   * cors_configuration on Lambda stages); empty: same-origin only.
   */
  readonly corsOrigins: readonly string[];
  /**
   * The calculator page as a static site on S3 and CloudFront, whose origin the API's CORS origins get.
   * `ide`: also publish the GraphQL IDE there, and let the API answer introspection (GRAPHQL_IDE=on).
   */
  readonly site: { readonly ide: boolean };
  readonly logRetentionDays: number;
  readonly kmsDeletionWindowDays: number;
}

/**
 * Checks that the version a stage config names is the one `calculator deploy` recorded for it (after
 * checking that it is Approved), so a version edited into stages.ts cannot bypass that file. The file
 * itself is the reviewed record: editing it by hand shows in review as a deploy does, but skips the check.
 *
 * @throws StageConfigError naming the version, what is recorded, and the command that records it.
 */
export function checkRecordedVersion(config: StageConfig, deployments: Deployments): void {
  const entry = deployments[config.stage];
  if (entry === undefined) {
    // Without this, a stage dropped from the file (or a file lost) would synthesize without its endpoint,
    // and the next apply would delete the endpoint.
    throw new StageConfigError(
      `${config.stage}: no entry in cdktf/deployments.json, so the stage would have no endpoint (and an apply would delete one); ` +
        `restore its record, or for a new stage with no version yet add "${config.stage}": { "history": [] }`,
    );
  }
  const version = config.modelPackageVersion;
  if (version === undefined) return;
  const recorded = entry.current;
  if (recorded !== version) {
    throw new StageConfigError(
      `${config.stage}.modelPackageVersion: version ${version} is not the version recorded for ${config.stage} in cdktf/deployments.json ` +
        `(${recorded === undefined ? 'none recorded' : `recorded: ${recorded}`}); record it with ` +
        `calculator deploy --stage ${config.stage} --version ${version}, which first checks that it is Approved`,
    );
  }
}

/** A stage config that cannot be deployed; the message names the setting. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Checks a stage config against what AWS accepts, so `synth` fails with a clear message instead of
 * `terraform apply` failing halfway.
 *
 * @throws StageConfigError naming the setting, what it is, and what is allowed.
 */
export function validateStageConfig(config: StageConfig): void {
  const problems: string[] = [];
  const at = (path: string, message: string) => problems.push(`${config.stage}.${path}: ${message}`);

  if (!/^[a-z][a-z0-9-]{0,15}$/.test(config.stage))
    at('stage', `must be lower-case letters, digits and hyphens, got "${config.stage}"`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region))
    at('region', `must be an AWS region such as us-east-1, got "${config.region}"`);
  if (config.state.bucket.trim() === '')
    at('state.bucket', 'must name the S3 bucket holding Terraform state');
  for (const key of ['containerTag', 'apiTag'] as const) {
    const tag = config.images[key];
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
      at(`images.${key}`, `must be a non-empty image tag (letters, digits, _ . -), got "${tag}"`);
    }
  }
  if (
    config.modelPackageVersion !== undefined &&
    !(Number.isInteger(config.modelPackageVersion) && config.modelPackageVersion >= 1)
  ) {
    at('modelPackageVersion', `must be a model package version (1, 2, …), got ${config.modelPackageVersion}`);
  }
  const { rollout } = config;
  if (!(Number.isInteger(rollout.waitSeconds) && rollout.waitSeconds >= 0 && rollout.waitSeconds <= 3600)) {
    at('rollout.waitSeconds', `must be a whole number of seconds from 0 to 3600, got ${rollout.waitSeconds}`);
  }
  if (rollout.kind === 'canary') {
    if (!(
      Number.isInteger(rollout.canaryPercent) &&
      rollout.canaryPercent >= 1 &&
      rollout.canaryPercent <= 50
    )) {
      at('rollout.canaryPercent', `must be a whole percentage from 1 to 50, got ${rollout.canaryPercent}`);
    }
    if (config.endpoint.kind === 'serverless') {
      at(
        'rollout',
        "canary traffic shifting needs instances; a serverless endpoint takes kind 'all-at-once'",
      );
    }
  }

  const { endpoint } = config;
  if (endpoint.kind === 'instances') {
    if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(endpoint.instanceType)) {
      at(
        'endpoint.instanceType',
        `must be a SageMaker instance type such as ml.c6i.large, got "${endpoint.instanceType}"`,
      );
    }
    if (!Number.isInteger(endpoint.instanceCount) || endpoint.instanceCount < 1) {
      at('endpoint.instanceCount', `must be a whole number of at least 1, got ${endpoint.instanceCount}`);
    }
    const { scaling } = endpoint;
    if (scaling) {
      if (endpoint.instanceType.startsWith('ml.t')) {
        at(
          'endpoint.scaling',
          `auto-scaling is not allowed on burstable instance type ${endpoint.instanceType} (SageMaker refuses it); ` +
            'remove scaling or use a non-burstable type such as ml.c6i.large',
        );
      }
      if (!Number.isInteger(scaling.minCapacity) || scaling.minCapacity < 1) {
        at(
          'endpoint.scaling.minCapacity',
          `must be a whole number of at least 1, got ${scaling.minCapacity}`,
        );
      }
      if (scaling.minCapacity > scaling.maxCapacity) {
        at(
          'endpoint.scaling',
          `minCapacity (${scaling.minCapacity}) must not exceed maxCapacity (${scaling.maxCapacity})`,
        );
      }
      if (endpoint.instanceCount < scaling.minCapacity || endpoint.instanceCount > scaling.maxCapacity) {
        at(
          'endpoint.instanceCount',
          `must lie within the scaling bounds ${scaling.minCapacity}-${scaling.maxCapacity}, got ${endpoint.instanceCount}`,
        );
      }
      if (!(scaling.targetInvocationsPerInstance > 0)) {
        at(
          'endpoint.scaling.targetInvocationsPerInstance',
          `must be greater than 0, got ${scaling.targetInvocationsPerInstance}`,
        );
      }
    }
  } else {
    if (!(endpoint.memoryMb >= 1024 && endpoint.memoryMb <= 6144 && endpoint.memoryMb % 1024 === 0)) {
      at('endpoint.memoryMb', `must be 1024 to 6144 in steps of 1024, got ${endpoint.memoryMb}`);
    }
    if (!(
      Number.isInteger(endpoint.maxConcurrency) &&
      endpoint.maxConcurrency >= 1 &&
      endpoint.maxConcurrency <= 200
    )) {
      at('endpoint.maxConcurrency', `must be a whole number from 1 to 200, got ${endpoint.maxConcurrency}`);
    }
    if (config.dataCapture)
      at('dataCapture', 'data capture is not supported with serverless inference; remove it');
  }
  if (
    config.dataCapture &&
    !(config.dataCapture.samplingPercent > 0 && config.dataCapture.samplingPercent <= 100)
  ) {
    at('dataCapture.samplingPercent', `must be from 1 to 100, got ${config.dataCapture.samplingPercent}`);
  }

  for (const key of ['invocation5xxErrors', 'modelLatencyP95Ms', 'api5xxErrors', 'apiRefusals'] as const) {
    if (!(config.alarms[key] > 0)) at(`alarms.${key}`, `must be greater than 0, got ${config.alarms[key]}`);
  }
  const { api } = config;
  if (api.kind === 'lambda') {
    if (!(api.memoryMb >= 128 && api.memoryMb <= 10240))
      at('api.memoryMb', `must be 128 to 10240, got ${api.memoryMb}`);
    if (!(api.timeoutSeconds >= 1 && api.timeoutSeconds <= 29)) {
      at(
        'api.timeoutSeconds',
        `must be 1 to 29 (API Gateway's integration limit), got ${api.timeoutSeconds}`,
      );
    }
  } else if (api.kind === 'fargate') {
    if (api.minCount > api.maxCount)
      at('api', `minCount (${api.minCount}) must not exceed maxCount (${api.maxCount})`);
    if (!(api.minCount >= 1)) at('api.minCount', `must be at least 1, got ${api.minCount}`);
    if (!(
      Number.isInteger(api.wafRequestsPer5MinutesPerIp) &&
      api.wafRequestsPer5MinutesPerIp >= 10 &&
      api.wafRequestsPer5MinutesPerIp <= 2_000_000_000
    )) {
      at(
        'api.wafRequestsPer5MinutesPerIp',
        `must be a whole number from 10 to 2000000000 (WAF's rate-based limits), got ${api.wafRequestsPer5MinutesPerIp}`,
      );
    }
    if (api.domainName !== undefined && !api.certificateArn) {
      at(
        'api.domainName',
        'needs api.certificateArn, a certificate for that domain (the API is HTTPS there)',
      );
    }
  } else {
    at('api.kind', `must be lambda or fargate, got ${JSON.stringify((api as { kind: unknown }).kind)}`);
  }
  for (const origin of config.corsOrigins) {
    if (origin === '*' || !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      at(
        'corsOrigins',
        `must list origins such as https://app.example.com (scheme, host, port; never * while API keys are on), got ${JSON.stringify(origin)}`,
      );
    }
  }
  if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
    at(
      'logRetentionDays',
      `must be one of CloudWatch's retention periods (${LOG_RETENTION_DAYS.join(', ')}), got ${config.logRetentionDays}`,
    );
  }
  if (!(config.kmsDeletionWindowDays >= 7 && config.kmsDeletionWindowDays <= 30)) {
    at('kmsDeletionWindowDays', `must be 7 to 30, got ${config.kmsDeletionWindowDays}`);
  }
  if (problems.length > 0) throw new StageConfigError(`Invalid stage config:\n- ${problems.join('\n- ')}`);
}
