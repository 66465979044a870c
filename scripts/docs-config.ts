import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withConfigReference } from '../src/config/render-docs.js';

// npm run docs:config — regenerates .env.example and the README's configuration reference.
writeFileSync('.env.example', `${renderEnvExample()}\n`);
writeFileSync('README.md', withConfigReference(readFileSync('README.md', 'utf8')));
console.log('wrote .env.example and the configuration reference in README.md');
