import type { Express, RequestHandler } from 'express';
import express from 'express';
import { dirname, join } from 'node:path';
import { PAGE_SECURITY_HEADERS } from '../http/security-headers';
import { projectRoot } from '../project-root';

/** Where the page's own files are. */
const PUBLIC = join(projectRoot(), 'src', 'ui', 'public');

/** The IDE's third-party files, served by name from their packages (never the whole node_modules). */
const IDE_ASSETS: Readonly<Record<string, string>> = {
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

const CACHE = { maxAge: '1h' };

/**
 * Mounts the browser-facing routes: `GET /` (the calculator page and its assets under /assets/) and,
 * when the IDE is on, `GET /graphql` for browsers (a GraphiQL served from /ide/, no CDN). Everything else
 * under /graphql stays with Apollo.
 */
export function mountUiRoutes(
  app: Express,
  options: { readonly graphqlIde: boolean; readonly graphqlIdeReason: string },
): void {
  const pageHeaders: RequestHandler = (_request, response, next) => {
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) response.setHeader(name, value);
    next();
  };
  app.get('/', pageHeaders, (_request, response) => response.sendFile(join(PUBLIC, 'index.html')));
  app.use('/assets', pageHeaders, express.static(PUBLIC, { index: false, ...CACHE }));
  // Where a browser looks for an icon on a page that names none (a JSON answer opened in a tab).
  app.get('/favicon.ico', pageHeaders, (_request, response) =>
    response.type('image/svg+xml').sendFile(join(PUBLIC, 'favicon.svg'), CACHE),
  );

  const ide: RequestHandler = (request, response, next) => {
    // A browser navigation asks for HTML; GraphQL clients using GET ask for JSON and go on to Apollo.
    if (
      request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html'
    ) {
      return next();
    }
    if (!options.graphqlIde) {
      response.status(404).json({
        errors: [
          {
            message: `The GraphQL IDE is off (${options.graphqlIdeReason}).`,
            extensions: { code: 'NOT_FOUND' },
          },
        ],
      });
      return;
    }
    for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) response.setHeader(name, value);
    response.sendFile(join(PUBLIC, 'ide.html'));
  };
  app.get('/graphql', ide);
  if (options.graphqlIde) {
    app.get('/ide/:file', pageHeaders, (request: express.Request<{ file: string }>, response, next) => {
      const path = IDE_ASSETS[request.params.file];
      if (path) response.sendFile(path, CACHE);
      else next();
    });
  }
}
