import { whereToGo } from '../../src/where-to-go';

describe("npm start's last line", () => {
  it('names the page, the IDE and the API in words', () => {
    expect(
      whereToGo('http://localhost:4000', { graphqlIde: true, graphqlIdeReason: 'on outside production' }),
    ).toBe(
      'Ready: the calculator page at http://localhost:4000/, the GraphQL IDE at http://localhost:4000/graphql (open it in a browser); POST GraphQL to http://localhost:4000/graphql. Ctrl+C stops it.',
    );
  });

  it('says why there is no IDE, naming the setting', () => {
    expect(
      whereToGo('http://localhost:4000', {
        graphqlIde: false,
        graphqlIdeReason: 'NODE_ENV=production turns it off; GRAPHQL_IDE=on turns it back on',
      }),
    ).toContain('no GraphQL IDE (NODE_ENV=production turns it off; GRAPHQL_IDE=on turns it back on)');
  });
});
