import { installProcessGuards } from '../app/process-guards.js';
import { createLogger } from '../core/logger.js';
import { runRelay } from './relay-main.js';

// `triage-relay` entry point (bin/triage-relay.mjs): start the relay and keep running until
// SIGINT/SIGTERM; exit 2 with one clear line when the configuration cannot work. A throw outside
// any request handler is logged and the relay keeps serving (a storm of them exits 70).
installProcessGuards(createLogger('info', undefined, { name: 'triage-relay' }));
process.exitCode = await runRelay();
