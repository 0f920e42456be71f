import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCalculatorSchema, printCalculatorSchema } from './graphql/calculator-schema';
import { projectRoot } from './project-root';

/** `npm run schema`: writes the SDL generated from the code to schema/schema.graphql. */
const path = join(projectRoot(), 'schema', 'schema.graphql');
writeFileSync(path, printCalculatorSchema(buildCalculatorSchema()));
process.stdout.write(`wrote ${path}\n`);
