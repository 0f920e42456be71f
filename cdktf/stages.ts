import type { Deployments } from './deployments';
import { readDeployments, recordedVersion } from './deployments';
import type { StageConfig } from './stage-config';

/**
 * Which approved model version each stage serves: cdktf/deployments.json, written by `calculator deploy`.
 * A file that cannot be read leaves the stages without versions here; synth then reports it (every
 * CalculatorStack checks its stage against the file), while commands that need no stage still run.
 */
const deployments = ((): Deployments => {
  try {
    return readDeployments();
  } catch {
    return {};
  }
})();

const shared = {
  region: 'us-east-1',
  state: { bucket: 'calculator-terraform-state', region: 'us-east-1' },
} as const;

/**
 * The stages. Image tags are the ones `docker push` wrote (the repositories refuse to overwrite a tag).
 * dev is cheap (one burstable instance, no scaling, API on Lambda); prod is sized for traffic.
 */
export const STAGES: Readonly<Record<string, StageConfig>> = {
  dev: {
    ...shared,
    stage: 'dev',
    ...recordedVersion('dev', deployments),
    // dev: no canary (one instance), but the same baking watch and automatic rollback.
    rollout: { kind: 'all-at-once', waitSeconds: 300 },
    images: { containerTag: '1.0.0', apiTag: '1.0.0' },
    endpoint: { kind: 'instances', instanceType: 'ml.t2.medium', instanceCount: 1 },
    alarms: { invocation5xxErrors: 5, modelLatencyP95Ms: 250, api5xxErrors: 10, apiRefusals: 10_000 },
    api: { kind: 'lambda', memoryMb: 1024, timeoutSeconds: 15, throttle: { burstLimit: 100, rateLimit: 50 } },
    corsOrigins: [],
    site: { ide: true },
    logRetentionDays: 14,
    kmsDeletionWindowDays: 7,
  },
  prod: {
    ...shared,
    stage: 'prod',
    ...recordedVersion('prod', deployments),
    // 10 % of the new fleet first, for 15 minutes: long enough for the p95 latency alarm (2 of 3
    // five-minute periods) to trip before the rest of the traffic moves.
    rollout: { kind: 'canary', canaryPercent: 10, waitSeconds: 900 },
    images: { containerTag: '1.0.0', apiTag: '1.0.0' },
    endpoint: {
      kind: 'instances',
      instanceType: 'ml.c6i.large',
      instanceCount: 2,
      scaling: {
        minCapacity: 1,
        maxCapacity: 5,
        targetInvocationsPerInstance: 1000,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
      },
    },
    dataCapture: { samplingPercent: 10 },
    alarms: { invocation5xxErrors: 1, modelLatencyP95Ms: 100, api5xxErrors: 5, apiRefusals: 10_000 },
    api: {
      kind: 'fargate',
      cpu: 512,
      memoryMb: 1024,
      minCount: 2,
      maxCount: 6,
      targetCpuPercent: 60,
      // 20 requests/s from one IP on average: far above a page, well below what floods.
      wafRequestsPer5MinutesPerIp: 6_000,
      vpcEndpoints: true,
    },
    corsOrigins: [],
    // No IDE, no introspection in prod: the site has the page only.
    site: { ide: false },
    logRetentionDays: 90,
    kmsDeletionWindowDays: 30,
  },
};
