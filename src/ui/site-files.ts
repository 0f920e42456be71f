import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../project-root';

/** Where the page's own files are. */
export const PUBLIC = join(projectRoot(), 'src', 'ui', 'public');

/** The IDE's third-party files, served by name from their packages (never the whole node_modules). */
export const IDE_ASSETS: Readonly<Record<string, string>> = {
  'graphiql.min.js': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'),
  'graphiql.min.css': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.css'),
  'react.production.min.js': join(
    dirname(require.resolve('react/package.json')),
    'umd',
    'react.production.min.js',
  ),
  'react-dom.production.min.js': join(
    dirname(require.resolve('react-dom/package.json')),
    'umd',
    'react-dom.production.min.js',
  ),
};

/** What the page reads from `config.json` beside it: where the API is, and where the IDE is (or none). */
export interface PageConfig {
  readonly graphqlUrl: string;
  readonly ideUrl: string | null;
}

/** The page's own files, and the IDE's. */
const PAGE_FILES = ['app.js', 'graphql-client.js', 'style.css', 'favicon.svg'];
const IDE_FILES = ['ide.js', 'ide.css'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** HTML and the config are asked for again every time; assets live under a content-hashed folder. */
export const CACHE_NO_CACHE = 'no-cache';
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';

/** One object of the static site: its key in the bucket, headers, and its body or the file it is. */
export interface SiteFile {
  readonly key: string;
  readonly contentType: string;
  readonly cacheControl: string;
  /** The body, for files written for the site (HTML with its asset paths, the config). */
  readonly content?: string;
  /** The file to upload as it is. */
  readonly source?: string;
  /** SHA-256 of the body, hex. */
  readonly sha256: string;
}

function contentTypeOf(name: string): string {
  const type = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
  if (!type) throw new Error(`no content type for ${name}`);
  return type;
}

const sha256 = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/**
 * The static site of a stage, laid out as its bucket holds it: `index.html` and `config.json` at the
 * root (no-cache), the page's files under `assets/<release>/` and the IDE's under `ide/<release>/`
 * (cached for a year: a new release is a new folder, named by a hash of every file in it). The HTML is the
 * page's own with its absolute asset paths made relative to that folder. `ide.html` and its files only
 * when `ide` is set (never in prod).
 */
export function siteFiles(options: { readonly graphqlUrl: string; readonly ide: boolean }): SiteFile[] {
  const sources = new Map<string, string>();
  for (const name of [...PAGE_FILES, ...(options.ide ? IDE_FILES : [])]) {
    sources.set(`assets/${name}`, join(PUBLIC, name));
  }
  if (options.ide) {
    for (const [name, path] of Object.entries(IDE_ASSETS)) sources.set(`ide/${name}`, path);
  }
  const release = createHash('sha256');
  for (const [key, path] of sources) release.update(key).update('\0').update(readFileSync(path));
  const folder = release.digest('hex').slice(0, 12);
  const atRelease = (key: string) => key.replace(/^(assets|ide)\//, `$1/${folder}/`);
  const files: SiteFile[] = [...sources].map(([key, path]) => ({
    key: atRelease(key),
    contentType: contentTypeOf(path),
    cacheControl: CACHE_IMMUTABLE,
    source: path,
    sha256: sha256(readFileSync(path)),
  }));
  const html = (name: string) => {
    const content = readFileSync(join(PUBLIC, name), 'utf8').replace(
      /(href|src)="\/(assets|ide)\//g,
      `$1="$2/${folder}/`,
    );
    return {
      key: name,
      contentType: contentTypeOf(name),
      cacheControl: CACHE_NO_CACHE,
      content,
      sha256: sha256(content),
    };
  };
  const config: PageConfig = { graphqlUrl: options.graphqlUrl, ideUrl: options.ide ? 'ide.html' : null };
  const configContent = `${JSON.stringify(config)}\n`;
  return [
    html('index.html'),
    ...(options.ide ? [html('ide.html')] : []),
    {
      key: 'config.json',
      contentType: contentTypeOf('config.json'),
      cacheControl: CACHE_NO_CACHE,
      content: configContent,
      sha256: sha256(configContent),
    },
    ...files,
  ];
}

/** Writes the site into `dir`, laid out exactly as its bucket holds it (keys as paths). */
export function writeSiteFolder(dir: string, files: readonly SiteFile[]): void {
  for (const file of files) {
    const path = join(dir, ...file.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    if (file.content !== undefined) writeFileSync(path, file.content);
    else copyFileSync(file.source!, path);
  }
}
