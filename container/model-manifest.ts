import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AngleUnit } from '../src/engine';
import { ANGLE_UNITS, OPERATION_NAMES } from '../src/engine';

/** The file SageMaker unpacks from `model.tar.gz` into the model directory. */
export const MANIFEST_FILE_NAME = 'model.json';

/** What a model artifact configures: which operations are served, and their defaults. */
export interface ModelManifest {
  readonly name: string;
  readonly version: string;
  readonly operations: readonly string[];
  readonly defaults: { readonly angleUnit: AngleUnit };
  /** The calculator engine's version the artifact was packaged with (the project's version). */
  readonly engineVersion?: string;
  /** `sha256:` and the SHA-256 of the manifest written without this field: edits after packaging show. */
  readonly checksum?: string;
}

/** Thrown when `model.json` cannot be read or does not match the schema; the message says where and why. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

const manifestSchema = z.strictObject({
  name: z.string().min(1).max(128),
  version: z.string().min(1).max(64),
  operations: z
    .array(
      z.string().refine((name) => OPERATION_NAMES.includes(name), {
        error: (issue) =>
          `unknown operation ${JSON.stringify(issue.input)}; known: ${OPERATION_NAMES.join(', ')}`,
      }),
    )
    .min(1)
    .optional(),
  defaults: z
    .strictObject({ angle_unit: z.enum(ANGLE_UNITS as [AngleUnit, ...AngleUnit[]]).optional() })
    .optional(),
  engine_version: z.string().min(1).max(64).optional(),
  checksum: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be sha256: and 64 lower-case hex digits' })
    .optional(),
});

/** The on-disk form of a manifest (snake_case, as SageMaker artifacts usually are). */
export type ManifestFile = z.input<typeof manifestSchema>;

/** The manifest served when the model directory holds no `model.json`: every operation, degrees. */
export function defaultManifest(version = 'builtin'): ModelManifest {
  return { name: 'calculator', version, operations: OPERATION_NAMES, defaults: { angleUnit: 'degrees' } };
}

/**
 * Validates a parsed manifest.
 *
 * @throws ManifestError naming each offending field.
 */
export function parseModelManifest(value: unknown, source: string): ModelManifest {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new ManifestError(`${source} is not a valid model manifest: ${problems.join('; ')}`);
  }
  const { name, version, operations, defaults, engine_version: engineVersion, checksum } = parsed.data;
  const manifest: ModelManifest = {
    name,
    version,
    operations: operations ?? OPERATION_NAMES,
    defaults: { angleUnit: defaults?.angle_unit ?? 'degrees' },
    ...(engineVersion !== undefined ? { engineVersion } : {}),
  };
  if (checksum !== undefined) {
    const actual = manifestChecksum(manifest);
    if (actual !== checksum) {
      throw new ManifestError(
        `${source} does not match its checksum (${checksum}, content ${actual}): it was changed after packaging; package it again`,
      );
    }
    return { ...manifest, checksum };
  }
  return manifest;
}

/** The checksum of a manifest's content: the SHA-256 of its on-disk form without the checksum. */
export function manifestChecksum(manifest: ModelManifest): string {
  const { checksum: _ignored, ...content } = manifest;
  return `sha256:${createHash('sha256').update(serializeModelManifest(content)).digest('hex')}`;
}

/** Writes a manifest in its on-disk form. */
export function serializeModelManifest(manifest: ModelManifest): string {
  const file: ManifestFile = {
    name: manifest.name,
    version: manifest.version,
    operations: [...manifest.operations],
    defaults: { angle_unit: manifest.defaults.angleUnit },
    ...(manifest.engineVersion !== undefined ? { engine_version: manifest.engineVersion } : {}),
    ...(manifest.checksum !== undefined ? { checksum: manifest.checksum } : {}),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Loads `model.json` from the model directory, or the built-in defaults when there is none.
 *
 * @throws ManifestError when the file exists but cannot be read, is not JSON, or fails the schema.
 */
export function loadModelManifest(modelDirectory: string): ModelManifest {
  const path = join(modelDirectory, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaultManifest();
    throw new ManifestError(`${path} could not be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseModelManifest(value, path);
}
