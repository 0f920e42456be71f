import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from 'tar';
import type { ModelManifest } from './model-manifest';
import {
  defaultManifest,
  MANIFEST_FILE_NAME,
  manifestChecksum,
  parseModelManifest,
  serializeModelManifest,
} from './model-manifest';

/** Every entry's modification time: fixed, so that the same input gives the same bytes. */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * Writes `model.tar.gz` holding `model.json` at its root, as SageMaker expects of a model artifact (it
 * unpacks it into /opt/ml/model). The manifest is validated exactly as the container will read it, then
 * gets the engine's version and a checksum of its content. The archive is byte-identical for the same
 * input: a fixed mtime, mode 0644, no owner (`portable`), one entry.
 *
 * @returns the absolute path written, and the manifest as packaged.
 * @throws ManifestError when a given manifest is not valid.
 */
export async function packageModel(options: {
  readonly out: string;
  readonly manifestPath?: string;
  /** The model's version when no manifest is given; the engine's version in every case. */
  readonly version: string;
}): Promise<{ readonly path: string; readonly manifest: ModelManifest }> {
  const given = options.manifestPath
    ? parseModelManifest(JSON.parse(readFileSync(options.manifestPath, 'utf8')), options.manifestPath)
    : defaultManifest(options.version);
  const { checksum: _previous, ...content } = given;
  const unsigned: ModelManifest = { ...content, engineVersion: options.version };
  const manifest: ModelManifest = { ...unsigned, checksum: manifestChecksum(unsigned) };
  const staging = mkdtempSync(join(tmpdir(), 'calculator-model-'));
  try {
    const file = join(staging, MANIFEST_FILE_NAME);
    writeFileSync(file, serializeModelManifest(manifest));
    chmodSync(file, 0o644);
    const out = resolve(options.out);
    await create({ gzip: true, file: out, cwd: staging, portable: true, mtime: FIXED_MTIME }, [
      MANIFEST_FILE_NAME,
    ]);
    return { path: out, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The project's version: the engine's, written into every manifest packaged. */
export function projectVersion(): string {
  return (
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
}
