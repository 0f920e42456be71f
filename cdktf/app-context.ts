/**
 * The app's context: the Terraform versions the synthesized stacks target. S3-native state locking
 * (`use_lockfile`) needs Terraform or OpenTofu 1.10, and cdktn checks every feature against this.
 */
export const APP_CONTEXT = {
  targetVersions: { terraform: '>=1.10.0', opentofu: '>=1.10.0' },
} as const;
