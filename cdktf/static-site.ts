import { CloudfrontDistribution } from '@cdktn/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktn/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontResponseHeadersPolicy } from '@cdktn/provider-aws/lib/cloudfront-response-headers-policy';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3Object } from '@cdktn/provider-aws/lib/s3-object';
import { AssetType, TerraformAsset } from 'cdktn';
import { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pageSecurityHeaders } from '../src/http/security-headers';
import type { SiteFile } from '../src/ui/site-files';
import { CACHE_NO_CACHE, siteFiles, writeSiteFolder } from '../src/ui/site-files';
import type { ArtifactStore } from './artifact-store';
import { denyInsecureTransport, keepPrivate } from './artifact-store';
import { policyDocument } from './iam-policy';
import type { StageConfig } from './stage-config';

/** CloudFront's managed cache policy CachingOptimized: honours the objects' Cache-Control, compresses. */
export const CACHING_OPTIMIZED_POLICY_ID = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/**
 * The calculator page as a static site: a private bucket (SSE-S3, public access blocked, TLS only) that
 * only the stage's CloudFront distribution may read, through origin access control; HTTPS only,
 * compressed, with the page's security headers (its CSP also lets it connect to the API's origin). The
 * files are uploaded from src/ui/public by Terraform, laid out by {@link siteFiles}; `config.json` names the
 * stage's API. The IDE is published only where the stage says so (never in prod).
 */
export class StaticSite extends Construct {
  readonly bucket: S3Bucket;
  readonly distribution: CloudfrontDistribution;
  /** The site's origin, https://<distribution>.cloudfront.net: one of the API's CORS origins. */
  readonly origin: string;
  private readonly headersPolicy: CloudfrontResponseHeadersPolicy;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, config: StageConfig, store: ArtifactStore) {
    super(scope, id);
    this.config = config;
    const prefix = `calculator-${config.stage}`;
    this.bucket = new S3Bucket(this, 'bucket', { bucket: `${prefix}-site-${store.accountId}` });
    // SSE-S3: the files are public through CloudFront anyway, and CloudFront reads them without a key grant.
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    keepPrivate(this, this.bucket);
    const accessControl = new CloudfrontOriginAccessControl(this, 'origin-access-control', {
      name: `${prefix}-site`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    this.headersPolicy = new CloudfrontResponseHeadersPolicy(this, 'security-headers', {
      name: `${prefix}-site-security-headers`,
      comment: 'The same security headers the API gives the page (src/http/security-headers.ts)',
    });
    this.setHeaders([]);
    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: `${prefix}: the calculator page`,
      defaultRootObject: 'index.html',
      httpVersion: 'http2and3',
      priceClass: 'PriceClass_100',
      origin: [
        {
          originId: 'site-bucket',
          domainName: this.bucket.bucketRegionalDomainName,
          originAccessControlId: accessControl.id,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: 'site-bucket',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        viewerProtocolPolicy: 'redirect-to-https',
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        responseHeadersPolicyId: this.headersPolicy.id,
      },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });
    this.origin = `https://${this.distribution.domainName}`;
    new S3BucketPolicy(this, 'cloudfront-only', {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: 'ReadByThisDistributionOnly',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `${this.bucket.arn}/*`,
          Condition: { StringEquals: { 'AWS:SourceArn': this.distribution.arn } },
        },
        denyInsecureTransport(this.bucket),
      ]),
    });
  }

  /**
   * Publishes the page for the API at `graphqlUrl`, which the page may connect to as `connectSource` (a
   * CSP source: the API's origin, or a pattern of it where naming it would make a cycle).
   */
  publish(graphqlUrl: string, connectSource: string): void {
    this.setHeaders([connectSource]);
    const files = siteFiles({ graphqlUrl, ide: this.config.site.ide });
    // The files that do not depend on the deployment go in as one asset folder, as they will lie in the bucket.
    const fixed = files.filter((file) => file.key !== 'config.json');
    // A folder of this synth's own: another synth (a parallel test, another checkout) never touches it.
    const folder = mkdtempSync(join(tmpdir(), `calculator-site-${this.config.stage}-`));
    writeSiteFolder(folder, fixed);
    const asset = new TerraformAsset(this, 'files', { path: folder, type: AssetType.DIRECTORY });
    fixed.forEach(
      (file: SiteFile) =>
        new S3Object(this, `object-${file.key.replaceAll('/', '-')}`, {
          bucket: this.bucket.id,
          key: file.key,
          source: `${asset.path}/${file.key}`,
          sourceHash: file.sha256,
          contentType: file.contentType,
          cacheControl: file.cacheControl,
        }),
    );
    const config = files.find((file) => file.key === 'config.json')!;
    new S3Object(this, 'object-config', {
      bucket: this.bucket.id,
      key: config.key,
      content: config.content!,
      contentType: config.contentType,
      cacheControl: CACHE_NO_CACHE,
    });
  }

  private setHeaders(connect: readonly string[]): void {
    const headers = pageSecurityHeaders(connect);
    this.headersPolicy.putSecurityHeadersConfig({
      contentSecurityPolicy: { contentSecurityPolicy: headers['content-security-policy']!, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: headers['x-frame-options']!, override: true },
      referrerPolicy: { referrerPolicy: headers['referrer-policy']!, override: true },
      strictTransportSecurity: {
        accessControlMaxAgeSec: 31_536_000,
        includeSubdomains: true,
        override: true,
      },
    });
    this.headersPolicy.putCustomHeadersConfig({
      items: [
        {
          header: 'Cross-Origin-Opener-Policy',
          value: headers['cross-origin-opener-policy']!,
          override: true,
        },
      ],
    });
  }
}
