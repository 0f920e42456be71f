import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCalculatorSchema, printCalculatorSchema } from './graphql/calculator-schema';
import { projectRoot } from './project-root';

/** `npm run schema`: writes the SDL generated from the code to schema/schema.graphql. */
buildCalculatorSchema().then(
  (schema) => {
    const path = join(projectRoot(), 'schema', 'schema.graphql');
    writeFileSync(path, printCalculatorSchema(schema));
    process.stdout.write(`wrote ${path}\n`);
  },
  (error: Error) => {
    process.stderr.write(`schema generation failed: ${error.message}\n`);
    process.exit(1);
  },
);
