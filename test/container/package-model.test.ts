import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { loadModelManifest, parseModelManifest } from '../../container/model-manifest';
import { packageModel } from '../../container/package-model';
import { OPERATION_NAMES } from '../../src/engine';
import { ROOT } from '../harness/container-process';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'package-model-test-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('package:model', () => {
  it('writes model.tar.gz with model.json at its root, readable by the container', async () => {
    const out = await packageModel({ out: join(work, 'model.tar.gz'), version: '9.9.9' });
    const unpacked = join(work, 'opt-ml-model');
    execFileSync('mkdir', ['-p', unpacked]);
    await extract({ file: out, cwd: unpacked });
    expect(readdirSync(unpacked)).toEqual(['model.json']);
    expect(loadModelManifest(unpacked)).toEqual({
      name: 'calculator',
      version: '9.9.9',
      operations: OPERATION_NAMES,
      defaults: { angleUnit: 'degrees' },
    });
  });

  it('packages a given manifest after validating it', async () => {
    const manifestPath = join(work, 'custom.json');
    writeFileSync(manifestPath, JSON.stringify({ name: 'trig', version: '1', operations: ['sin', 'cos'] }));
    const unpacked = join(work, 'out');
    execFileSync('mkdir', ['-p', unpacked]);
    await extract({
      file: await packageModel({ out: join(work, 'm.tar.gz'), manifestPath, version: 'x' }),
      cwd: unpacked,
    });
    expect(loadModelManifest(unpacked).operations).toEqual(['sin', 'cos']);

    writeFileSync(manifestPath, JSON.stringify({ name: 'bad', version: '1', operations: [] }));
    await expect(packageModel({ out: join(work, 'bad.tar.gz'), manifestPath, version: 'x' })).rejects.toThrow(
      /operations: Too small/,
    );
  });

  it('runs as the npm command writes it', () => {
    const output = execFileSync(
      process.execPath,
      ['dist/container/package-model.js', '--out', join(work, 'cli.tar.gz')],
      {
        cwd: ROOT,
      },
    ).toString();
    expect(output).toMatch(/wrote .*cli\.tar\.gz/);
  });

  it('names the model manifest field that is wrong', () => {
    expect(() => parseModelManifest({ name: '', version: '1' }, 'x.json')).toThrow(
      /x\.json is not a valid model manifest: name:/,
    );
  });
});
