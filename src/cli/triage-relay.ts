import { runRelay } from './relay-main.js';

// `triage-relay` entry point (bin/triage-relay.mjs): start the relay and keep running until
// SIGINT/SIGTERM; exit 2 with one clear line when the configuration cannot work.
process.exitCode = await runRelay();
