import { Testing } from 'cdktn';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONTEXT } from '../../cdktf/app-context';
import { CalculatorStack } from '../../cdktf/calculator-stack';
import type { AcceptedFinding } from '../../cdktf/security-scan';
import { scanStack, unaccepted } from '../../cdktf/security-scan';
import type { StageConfig } from '../../cdktf/stage-config';
import { STAGES } from '../../cdktf/stages';
import { ROOT } from '../harness/container-process';

const recorded = { current: 1, history: [] };
function synthesized(config: StageConfig): Record<string, any> {
  const app = Testing.app({ context: { ...APP_CONTEXT } });
  const stack = new CalculatorStack(
    app,
    `calculator-${config.stage}`,
    { ...config, modelPackageVersion: 1 },
    {
      [config.stage]: recorded,
    },
  );
  return JSON.parse(Testing.synth(stack, true));
}

const accepted = JSON.parse(
  readFileSync(join(ROOT, 'cdktf', 'accepted-findings.json'), 'utf8'),
) as AcceptedFinding[];
const findings = Object.values(STAGES).flatMap((config) => scanStack(synthesized(config)));

describe('the security scan of the synthesized stacks', () => {
  it('finds nothing that is not fixed or accepted with a reason in cdktf/accepted-findings.json', () => {
    const { open, stale } = unaccepted(findings, accepted);
    expect(open).toEqual([]);
    // An accepted finding that no longer occurs is removed from the file.
    expect(stale).toEqual([]);
    for (const entry of accepted) expect(entry.reason.length).toBeGreaterThan(40);
  });

  it('reports the usual findings when they are there', () => {
    const broken = synthesized(STAGES.prod!);
    const [bucket] = Object.values(broken.resource.aws_s3_bucket_public_access_block) as any[];
    bucket.block_public_policy = false;
    const [topic] = Object.values(broken.resource.aws_sns_topic) as any[];
    delete topic.kms_master_key_id;
    const [group] = Object.values(broken.resource.aws_cloudwatch_log_group) as any[];
    delete group.kms_key_id;
    const [role] = Object.values(broken.resource.aws_iam_role_policy) as any[];
    role.policy = JSON.stringify({
      Statement: [{ Sid: 'Wide', Effect: 'Allow', Action: ['s3:GetObject', 'sagemaker:*'], Resource: '*' }],
    });
    const [sg] = Object.values(broken.resource.aws_security_group) as any[];
    sg.ingress = [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }];
    const rules = new Set(scanStack(broken).map((finding) => finding.rule));
    for (const rule of [
      's3-public-access-block',
      'sns-encryption',
      'logs-encryption',
      'iam-wildcard-action',
      'iam-wildcard-resource',
      'sg-open-ingress',
    ]) {
      expect([rule, rules.has(rule)]).toEqual([rule, true]);
    }
  });

  it('has no IAM statement with Resource "*" for an action that accepts an ARN, outside the KMS key policy', () => {
    const wildcards = findings.filter(
      (finding) => finding.rule === 'iam-wildcard-resource' && finding.resource !== 'artifacts/key',
    );
    expect(wildcards).toEqual([]);
  });
});
