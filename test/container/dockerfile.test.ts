import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_HEAP_FLAGS } from '../../src/runtime/heap-flags';
import { dockerfileServeCommand, ROOT } from '../harness/container-process';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stage = (name: string) => {
  const start = dockerfile.indexOf(` AS ${name}\n`);
  const end = dockerfile.indexOf('\nFROM ', start);
  return dockerfile.slice(start, end === -1 ? undefined : end);
};
const containerStage = stage('container');

describe('Dockerfile', () => {
  it('starts the same serve entry the container tests start', () => {
    expect(dockerfileServeCommand(dockerfile)).toEqual(['node', 'dist/container/serve.js', 'serve']);
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    expect(scripts['serve:container']).toContain(dockerfileServeCommand(dockerfile).slice(1).join(' '));
  });

  it('uses exec-form ENTRYPOINT so SageMaker’s `docker run IMAGE serve` reaches node as PID 1', () => {
    expect(containerStage).toMatch(/^ENTRYPOINT \["node", "dist\/container\/serve\.js"\]$/m);
  });

  it('is multi-stage on Node 24 slim, with production dependencies only and a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(containerStage).toMatch(/^USER node$/m);
  });

  it('declares the bind-to-port capability and exposes 8080', () => {
    expect(containerStage).toMatch(
      /^LABEL com\.amazonaws\.sagemaker\.capabilities\.accept-bind-to-port=true$/m,
    );
    expect(containerStage).toMatch(/^EXPOSE 8080$/m);
  });
});

describe('Dockerfile API targets', () => {
  it('runs the API entry on Node 24 for Fargate, as a non-root user on port 4000', () => {
    const api = stage('api');
    expect(api).toMatch(/^ENTRYPOINT \["node", "dist\/src\/main\.js"\]$/m);
    expect(api).toMatch(/^USER node$/m);
    expect(api).toMatch(/^EXPOSE 4000$/m);
    expect(api).toMatch(/^COPY src\/ui\/public \.\/src\/ui\/public$/m);
  });

  it('starts the API with its heap sizing, as `npm start` does', () => {
    const flags = API_HEAP_FLAGS.join(' ');
    for (const name of ['api', 'api-lambda']) {
      expect(stage(name)).toMatch(new RegExp(`^ENV .*NODE_OPTIONS=${flags}$`, 'm'));
    }
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.start).toContain(`node ${flags} dist/src/main.js`);
  });

  it('runs the Lambda handler on the Node 24 Lambda base image', () => {
    expect(dockerfile).toMatch(/^ARG LAMBDA_IMAGE=public\.ecr\.aws\/lambda\/nodejs:24$/m);
    expect(stage('api-lambda')).toMatch(/^CMD \["dist\/src\/lambda\.handler"\]$/m);
  });
});
