import type { Express, RequestHandler } from 'express';
import express from 'express';
import { join } from 'node:path';
import { PAGE_SECURITY_HEADERS } from '../http/security-headers';
import type { PageConfig } from './site-files';
import { IDE_ASSETS, PUBLIC } from './site-files';

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
  // Where the page finds the API: here, beside it (the static site's config.json names its stage's API).
  const config: PageConfig = { graphqlUrl: '/graphql', ideUrl: options.graphqlIde ? '/graphql' : null };
  app.get('/config.json', pageHeaders, (_request, response) => {
    response.setHeader('cache-control', 'no-cache');
    response.json(config);
  });
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
