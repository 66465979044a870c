#!/usr/bin/env node
// Entry shim: loads the TypeScript sources through tsx (no build step), then runs src/cli/triage-relay.ts.
import { register } from 'tsx/esm/api';
register();
await import(new URL('../src/cli/triage-relay.ts', import.meta.url).href);
