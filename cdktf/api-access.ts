import { SecretsmanagerSecret } from '@cdktn/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktn/provider-aws/lib/secretsmanager-secret-version';
import { Construct } from 'constructs';
import type { ArtifactStore } from './artifact-store';
import type { PolicyStatement } from './iam-policy';
import {
  CORS_ALLOWED_HEADERS,
  CORS_ALLOWED_METHODS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
} from '../src/http/cors';
import type { StageConfig } from './stage-config';

/**
 * Who may call a stage's API: a Secrets Manager secret holding its API keys' entries (their SHA-256s,
 * never the keys), encrypted with the stage's key. It starts with no key, `{"API_KEYS":""}`, so every
 * request is refused 401 until an operator puts entries in; Terraform leaves the value alone after that.
 * The API reads it at start and every minute (API_KEYS_SECRET_ID), so rotating or revoking a key needs
 * no deploy.
 */
export class ApiAccess extends Construct {
  readonly secret: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, config: StageConfig, store: ArtifactStore) {
    super(scope, id);
    this.secret = new SecretsmanagerSecret(this, 'api-keys', {
      name: `calculator-${config.stage}-api-keys`,
      description:
        'API_KEYS entries (id:sha256hex[:rate], comma-separated) of the calculator API; see README "Running it in public".',
      kmsKeyId: store.key.arn,
      recoveryWindowInDays: config.kmsDeletionWindowDays,
    });
    new SecretsmanagerSecretVersion(this, 'initial-keys', {
      secretId: this.secret.id,
      secretString: JSON.stringify({ API_KEYS: '' }),
      lifecycle: { ignoreChanges: ['secret_string'] },
    });
  }

  /** The API's environment for its keys and origins (the stage's, and its static site's). */
  environment(config: StageConfig, siteOrigin: string): Record<string, string> {
    return {
      API_KEYS_SECRET_ID: this.secret.arn,
      CORS_ORIGINS: corsOrigins(config, siteOrigin).join(','),
      ...(config.site.ide ? { GRAPHQL_IDE: 'on' } : {}),
    };
  }

  /** What the API's role needs to read its keys: this secret only, decrypted through Secrets Manager only. */
  statements(config: StageConfig, store: ArtifactStore): PolicyStatement[] {
    return [
      {
        Sid: 'ReadOwnApiKeys',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: this.secret.arn,
      },
      {
        Sid: 'DecryptOwnApiKeys',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: store.key.arn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${config.region}.amazonaws.com` } },
      },
    ];
  }
}

/** The origins whose pages may call a stage's API: its static site's, and those the stage lists. */
export function corsOrigins(config: StageConfig, siteOrigin: string): string[] {
  return [siteOrigin, ...config.corsOrigins];
}

/** API Gateway's CORS for a stage: the same origins, methods and headers as the API's own answers. */
export function corsConfiguration(config: StageConfig, siteOrigin: string) {
  return {
    allowOrigins: corsOrigins(config, siteOrigin),
    allowMethods: CORS_ALLOWED_METHODS,
    allowHeaders: CORS_ALLOWED_HEADERS,
    exposeHeaders: CORS_EXPOSED_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  };
}
