#!/usr/bin/env node
// Entry shim: runs the compiled JavaScript in dist/ (npm run build). In a source checkout it first
// rebuilds dist/ if any source is newer (~0.4 s, esbuild), so an edit is never run stale; an image
// ships dist/ without src/ and starts straight away.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/', import.meta.url))) await (await import('../scripts/build.mjs')).ensureBuilt();
await import('../dist/src/cli/bot.js');
