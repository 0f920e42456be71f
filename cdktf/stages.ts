import type { StageConfig } from './stage-config';

const shared = {
  region: 'us-east-1',
  state: { bucket: 'calculator-terraform-state', region: 'us-east-1' },
  modelArtifactKey: 'models/1.0.0/model.tar.gz',
} as const;

/**
 * The stages. Image tags are the ones `docker push` wrote (the repositories refuse to overwrite a tag).
 * dev is cheap (one burstable instance, no scaling, API on Lambda); prod is sized for traffic.
 */
export const STAGES: Readonly<Record<string, StageConfig>> = {
  dev: {
    ...shared,
    stage: 'dev',
    images: { containerTag: '1.0.0', apiTag: '1.0.0' },
    endpoint: { kind: 'instances', instanceType: 'ml.t2.medium', instanceCount: 1 },
    alarms: { invocation5xxErrors: 5, modelLatencyP95Ms: 250, api5xxErrors: 10 },
    api: { kind: 'lambda', memoryMb: 1024, timeoutSeconds: 15, throttle: { burstLimit: 100, rateLimit: 50 } },
    corsOrigins: [],
    logRetentionDays: 14,
    kmsDeletionWindowDays: 7,
  },
  prod: {
    ...shared,
    stage: 'prod',
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
    alarms: { invocation5xxErrors: 1, modelLatencyP95Ms: 100, api5xxErrors: 5 },
    api: {
      kind: 'fargate',
      cpu: 512,
      memoryMb: 1024,
      minCount: 2,
      maxCount: 6,
      targetCpuPercent: 60,
      // 20 requests/s from one IP on average: far above a page, well below what floods.
      wafRequestsPer5MinutesPerIp: 6_000,
    },
    corsOrigins: [],
    logRetentionDays: 90,
    kmsDeletionWindowDays: 30,
  },
};
