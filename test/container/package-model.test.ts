import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract, list } from 'tar';
import { loadModelManifest, manifestChecksum, parseModelManifest } from '../../container/model-manifest';
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
    const { path: out } = await packageModel({ out: join(work, 'model.tar.gz'), version: '9.9.9' });
    const unpacked = join(work, 'opt-ml-model');
    execFileSync('mkdir', ['-p', unpacked]);
    await extract({ file: out, cwd: unpacked });
    expect(readdirSync(unpacked)).toEqual(['model.json']);
    expect(loadModelManifest(unpacked)).toEqual({
      name: 'calculator',
      version: '9.9.9',
      operations: OPERATION_NAMES,
      defaults: { angleUnit: 'degrees' },
      engineVersion: '9.9.9',
      checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it('packages a given manifest after validating it', async () => {
    const manifestPath = join(work, 'custom.json');
    writeFileSync(manifestPath, JSON.stringify({ name: 'trig', version: '1', operations: ['sin', 'cos'] }));
    const unpacked = join(work, 'out');
    execFileSync('mkdir', ['-p', unpacked]);
    await extract({
      file: (await packageModel({ out: join(work, 'm.tar.gz'), manifestPath, version: 'x' })).path,
      cwd: unpacked,
    });
    expect(loadModelManifest(unpacked).operations).toEqual(['sin', 'cos']);

    writeFileSync(manifestPath, JSON.stringify({ name: 'bad', version: '1', operations: [] }));
    await expect(packageModel({ out: join(work, 'bad.tar.gz'), manifestPath, version: 'x' })).rejects.toThrow(
      /operations: Too small/,
    );
  });

  it('runs as the npm command writes it (calculator package)', () => {
    const output = execFileSync(
      process.execPath,
      ['bin/calculator.js', 'package', '--out', join(work, 'cli.tar.gz')],
      {
        cwd: ROOT,
      },
    ).toString();
    expect(output).toMatch(/wrote .*cli\.tar\.gz: calculator@1\.0\.0, 20 operations, sha256:[0-9a-f]{64}/);
  });

  it('writes the same bytes for the same input: fixed mtime and mode, no owner', async () => {
    const first = (await packageModel({ out: join(work, 'a.tar.gz'), version: '1.2.3' })).path;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = (await packageModel({ out: join(work, 'b.tar.gz'), version: '1.2.3' })).path;
    expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
    const entries: { mtime?: Date; uid?: number; uname?: string; mode?: number }[] = [];
    await list({ file: first, onReadEntry: (entry) => entries.push(entry) });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual(
      expect.objectContaining({ mtime: new Date('2000-01-01T00:00:00Z'), mode: 0o644, uname: '' }),
    );
    expect(entries[0]!.uid).toBeUndefined();
  });

  it('refuses a manifest changed after packaging, by its checksum', () => {
    const manifest = { name: 'calculator', version: '1', operations: ['add'], engine_version: '1.0.0' };
    const signed = { ...manifest, checksum: manifestChecksum(parseModelManifest(manifest, 'm.json')) };
    expect(parseModelManifest(signed, 'm.json').checksum).toBe(signed.checksum);
    expect(() => parseModelManifest({ ...signed, operations: ['add', 'sin'] }, 'm.json')).toThrow(
      /m\.json does not match its checksum .* it was changed after packaging; package it again/,
    );
  });

  it('names the model manifest field that is wrong', () => {
    expect(() => parseModelManifest({ name: '', version: '1' }, 'x.json')).toThrow(
      /x\.json is not a valid model manifest: name:/,
    );
  });
});
