#!/usr/bin/env node
// Entry shim: loads the TypeScript sources through tsx (no build step), then runs bench/run.ts.
import { register } from 'tsx/esm/api';
register();
await import(new URL('../bench/run.ts', import.meta.url).href);
