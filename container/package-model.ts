import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { create } from 'tar';
import {
  defaultManifest,
  MANIFEST_FILE_NAME,
  parseModelManifest,
  serializeModelManifest,
} from './model-manifest';

/**
 * Writes `model.tar.gz` holding `model.json` at its root, as SageMaker expects of a model artifact (it
 * unpacks it into /opt/ml/model). The manifest is validated exactly as the container will read it.
 *
 * @returns the absolute path written.
 * @throws ManifestError when a given manifest is not valid.
 */
export async function packageModel(options: {
  readonly out: string;
  readonly manifestPath?: string;
  readonly version: string;
}) {
  const manifest = options.manifestPath
    ? parseModelManifest(JSON.parse(readFileSync(options.manifestPath, 'utf8')), options.manifestPath)
    : defaultManifest(options.version);
  const staging = mkdtempSync(join(tmpdir(), 'calculator-model-'));
  try {
    writeFileSync(join(staging, MANIFEST_FILE_NAME), serializeModelManifest(manifest));
    const out = resolve(options.out);
    await create({ gzip: true, file: out, cwd: staging, portable: true }, [MANIFEST_FILE_NAME]);
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'model.tar.gz' }, manifest: { type: 'string' } },
  });
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  packageModel({
    out: values.out,
    version,
    ...(values.manifest ? { manifestPath: values.manifest } : {}),
  }).then(
    (path) => process.stdout.write(`wrote ${path}\n`),
    (error: Error) => {
      process.stderr.write(`package:model failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
