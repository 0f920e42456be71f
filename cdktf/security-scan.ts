/**
 * A security scan of a synthesized stack (its cdk.tf.json) for the usual findings: buckets that could be
 * public or are unencrypted, unencrypted topics, logs, secrets and repositories, wildcard IAM, open
 * security groups, plain HTTP at the edge. No Terraform-aware scanner that works offline could be had
 * here (see README, "Infrastructure checks"), so the rules are ours, written against the Terraform JSON.
 * A finding is fixed, or accepted with a written reason in cdktf/accepted-findings.json.
 */

/** One finding: the rule, the resource by its construct path within the stack, and what is wrong. */
export interface Finding {
  readonly rule: string;
  readonly resource: string;
  readonly detail: string;
}

/** An accepted finding: the rule, the resource (construct path), and why it stays. */
export interface AcceptedFinding {
  readonly rule: string;
  readonly resource: string;
  readonly reason: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Terraform JSON, read as it comes
type Json = Record<string, any>;

/**
 * Actions with no resource-level permissions, for which IAM accepts only `"*"` (the Service Authorization
 * Reference's "Resource types" column is empty for them).
 */
export const ACTIONS_WITHOUT_RESOURCES = new Set([
  'ecr:GetAuthorizationToken',
  'cloudwatch:PutMetricData',
  'logs:CreateLogDelivery',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

const OPEN = ['0.0.0.0/0', '::/0'];

/** A resource's construct path within its stack, from its logical id (`api_lb-security-group_85413FF3`). */
function pathOf(logicalId: string): string {
  return logicalId.replace(/_[0-9A-F]{8}$/, '').replaceAll('_', '/');
}

function statementsOf(policy: unknown): Json[] {
  if (typeof policy !== 'string') return [];
  try {
    const parsed = JSON.parse(policy) as Json;
    return [parsed.Statement].flat().filter(Boolean);
  } catch {
    return [];
  }
}

/** Scans one synthesized stack. */
export function scanStack(synthesized: Json): Finding[] {
  const resources: Record<string, Record<string, Json>> = synthesized.resource ?? {};
  const all = (type: string) => Object.entries(resources[type] ?? {});
  const findings: Finding[] = [];
  const logicalIds = new Map<Json, string>();
  for (const blocks of Object.values(resources)) {
    for (const [logicalId, block] of Object.entries(blocks)) logicalIds.set(block, logicalId);
  }
  const find = (rule: string, block: Json, detail: string) =>
    findings.push({ rule, resource: pathOf(logicalIds.get(block) ?? '?'), detail });
  const refersTo = (value: unknown, type: string, name: string) =>
    typeof value === 'string' && value.includes(`${type}.${name}.`);

  // Buckets: public access blocked, encrypted, no public-read ACL, no policy allowing anyone.
  for (const [name, bucket] of all('aws_s3_bucket')) {
    const block = all('aws_s3_bucket_public_access_block').find(([, b]) =>
      refersTo(b.bucket, 'aws_s3_bucket', name),
    );
    const fully =
      block &&
      ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every(
        (key) => block[1][key] === true,
      );
    if (!fully)
      find('s3-public-access-block', bucket, 'the bucket does not block every kind of public access');
    if (
      !all('aws_s3_bucket_server_side_encryption_configuration').some(([, e]) =>
        refersTo(e.bucket, 'aws_s3_bucket', name),
      )
    ) {
      find('s3-encryption', bucket, 'the bucket has no default encryption');
    }
    if (!all('aws_s3_bucket_logging').some(([, l]) => refersTo(l.bucket, 'aws_s3_bucket', name))) {
      find('s3-access-logging', bucket, 'no server access logging');
    }
    if (
      !all('aws_s3_bucket_policy').some(
        ([, p]) =>
          refersTo(p.bucket, 'aws_s3_bucket', name) &&
          statementsOf(p.policy).some(
            (s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
          ),
      )
    ) {
      find('s3-tls-only', bucket, 'the bucket policy does not refuse plain HTTP');
    }
  }
  for (const [, acl] of all('aws_s3_bucket_acl')) {
    if (/public/.test(String(acl.acl))) find('s3-public-acl', acl, `ACL ${acl.acl}`);
  }
  for (const [, policy] of all('aws_s3_bucket_policy')) {
    for (const statement of statementsOf(policy.policy)) {
      const anyone = statement.Principal === '*' || statement.Principal?.AWS === '*';
      if (statement.Effect === 'Allow' && anyone && !statement.Condition) {
        find(
          's3-policy-allows-anyone',
          policy,
          `statement ${statement.Sid ?? '?'} allows "*" unconditionally`,
        );
      }
    }
  }

  // Encryption at rest with a key of the stage's.
  const needsKey: [string, string, string][] = [
    ['aws_sns_topic', 'kms_master_key_id', 'sns-encryption'],
    ['aws_cloudwatch_log_group', 'kms_key_id', 'logs-encryption'],
    ['aws_secretsmanager_secret', 'kms_key_id', 'secret-encryption'],
  ];
  for (const [type, attribute, rule] of needsKey) {
    for (const [, block] of all(type)) if (!block[attribute]) find(rule, block, `no ${attribute}`);
  }
  for (const [, group] of all('aws_cloudwatch_log_group')) {
    if (!group.retention_in_days) find('logs-retention', group, 'kept forever');
  }
  for (const [, repository] of all('aws_ecr_repository')) {
    if (repository.image_tag_mutability !== 'IMMUTABLE')
      find('ecr-mutable-tags', repository, 'tags can be overwritten');
    if (repository.image_scanning_configuration?.scan_on_push !== true)
      find('ecr-scan-on-push', repository, 'no scan on push');
    if (repository.encryption_configuration?.[0]?.encryption_type !== 'KMS')
      find('ecr-encryption', repository, 'not KMS');
  }
  for (const [, config] of all('aws_sagemaker_endpoint_configuration')) {
    if (!config.kms_key_arn) find('sagemaker-volume-encryption', config, 'no kms_key_arn');
  }
  for (const [, key] of all('aws_kms_key')) {
    if (key.enable_key_rotation !== true) find('kms-rotation', key, 'key rotation off');
  }

  // IAM: no "*" action, no "*" resource for an action that accepts an ARN.
  const policies: [Json, string][] = [
    ...all('aws_iam_role_policy').map(([, p]): [Json, string] => [p, p.policy]),
    ...all('aws_iam_policy').map(([, p]): [Json, string] => [p, p.policy]),
    ...all('aws_vpc_endpoint').map(([, p]): [Json, string] => [p, p.policy]),
    ...all('aws_sns_topic_policy').map(([, p]): [Json, string] => [p, p.policy]),
    ...all('aws_kms_key').map(([, p]): [Json, string] => [p, p.policy]),
  ];
  for (const [block, policy] of policies) {
    for (const statement of statementsOf(policy)) {
      if (statement.Effect !== 'Allow') continue;
      const actions: string[] = [statement.Action].flat();
      const wildcardActions = actions.filter((action) => action === '*' || action.endsWith(':*'));
      if (wildcardActions.length > 0) {
        find(
          'iam-wildcard-action',
          block,
          `statement ${statement.Sid ?? '?'} allows ${wildcardActions.join(', ')}`,
        );
      }
      if ([statement.Resource].flat().includes('*')) {
        const scoped = actions.filter((action) => !ACTIONS_WITHOUT_RESOURCES.has(action));
        if (scoped.length > 0) {
          find(
            'iam-wildcard-resource',
            block,
            `statement ${statement.Sid ?? '?'}: "*" for ${scoped.join(', ')}`,
          );
        }
      }
    }
  }

  // Security groups: nothing open to the internet but HTTP(S) in, and egress named.
  for (const [, group] of all('aws_security_group')) {
    for (const rule of group.ingress ?? []) {
      const open = [...(rule.cidr_blocks ?? []), ...(rule.ipv6_cidr_blocks ?? [])].some((cidr: string) =>
        OPEN.includes(cidr),
      );
      if (open && !(rule.from_port === rule.to_port && [80, 443].includes(rule.from_port))) {
        find('sg-open-ingress', group, `ports ${rule.from_port}-${rule.to_port} open to the internet`);
      } else if (open) {
        find('sg-public-web-ingress', group, `port ${rule.from_port} open to the internet`);
      }
    }
    for (const rule of group.egress ?? []) {
      if ((rule.cidr_blocks ?? []).some((cidr: string) => OPEN.includes(cidr))) {
        find('sg-open-egress', group, `egress to 0.0.0.0/0 on ${rule.from_port}-${rule.to_port}`);
      }
    }
  }

  // The edge: HTTPS, logging, WAF.
  for (const [, listener] of all('aws_lb_listener')) {
    const redirects = listener.default_action?.some((action: Json) => action.type === 'redirect');
    if (listener.protocol === 'HTTP' && !redirects)
      find('lb-plain-http', listener, 'serves HTTP without redirecting to HTTPS');
  }
  for (const [, lb] of all('aws_lb')) {
    if (!lb.access_logs?.enabled) find('lb-access-logging', lb, 'no access logs');
    if (lb.drop_invalid_header_fields !== true)
      find('lb-invalid-headers', lb, 'invalid header fields are passed on');
  }
  for (const [, distribution] of all('aws_cloudfront_distribution')) {
    const behaviors = [distribution.default_cache_behavior, ...(distribution.ordered_cache_behavior ?? [])];
    if (behaviors.some((behavior: Json) => behavior?.viewer_protocol_policy === 'allow-all')) {
      find('cloudfront-plain-http', distribution, 'a behavior allows HTTP');
    }
    if (!distribution.logging_config) find('cloudfront-logging', distribution, 'no access logs');
    if (!distribution.web_acl_id) find('cloudfront-waf', distribution, 'no WAF web ACL');
    if (distribution.viewer_certificate?.cloudfront_default_certificate) {
      find(
        'cloudfront-default-certificate',
        distribution,
        'the default *.cloudfront.net certificate (TLS 1.0 minimum)',
      );
    }
  }
  return findings;
}

/** The findings no accepted entry covers, and the accepted entries that match no finding (stale). */
export function unaccepted(
  findings: readonly Finding[],
  accepted: readonly AcceptedFinding[],
): { open: Finding[]; stale: AcceptedFinding[] } {
  const matches = (entry: AcceptedFinding, finding: Finding) =>
    entry.rule === finding.rule && entry.resource === finding.resource;
  return {
    open: findings.filter((finding) => !accepted.some((entry) => matches(entry, finding))),
    stale: accepted.filter((entry) => !findings.some((finding) => matches(entry, finding))),
  };
}
