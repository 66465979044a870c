import { writeFile } from 'node:fs/promises';
import { LAB_SCHEMA_PATH, labJsonSchemaText } from '../src/lab/json-schema.js';

// `npm run docs:lab-schema`: regenerate docs/lab-scenario.schema.json from the zod schema.
await writeFile(LAB_SCHEMA_PATH, labJsonSchemaText());
console.log(`wrote ${LAB_SCHEMA_PATH}`);
