import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/load.js';
import { fixedClock, systemClock, type Clock } from '../kernel/clock.js';
import { createLogger, type LogLevel } from '../kernel/logger.js';
import { loadScenario } from '../lab/load.js';
import { LabBackend } from '../lab/lab-backend.js';
import { InProcessRelayClient } from '../relay/in-process-client.js';
import type { RelayClient } from '../relay/relay-client.js';
import { createHttpRelayClient } from '../relay/create-http-client.js';

// Where the CLI's answers come from: a lab scenario (in-process, its clock pinned to the
// scenario's `now`) or the configured relay over the signed protocol.
export interface OpenedRelay {
  relay: RelayClient;
  clock: Clock;
  /** Said on stderr so the user knows which evidence they are looking at. */
  note?: string;
  knownNodes?: string[];
  knownClusters?: string[];
  close(): Promise<void>;
}

export const DEFAULT_SCENARIO = 'lab/default.yaml';

export async function openRelay(labFile: string | undefined, config: Config, logLevel: LogLevel = 'error'): Promise<OpenedRelay> {
  if (labFile === undefined && config.relay.url) {
    // Diagnostics (a refused call, with its request id) go to the logger on stderr as JSON lines;
    // the person at the terminal sees them only when they ask (LOG_LEVEL), not under the result.
    const logger = createLogger(logLevel, undefined, { name: 'triage' });
    return { relay: await createHttpRelayClient(config, logger), clock: systemClock, close: async () => {} };
  }
  const file = labFile ?? defaultScenarioPath();
  const scenario = await loadScenario(file);
  const backend = new LabBackend(scenario);
  return {
    relay: new InProcessRelayClient(backend, `lab: ${path.basename(file)}`),
    clock: fixedClock(scenario.domain.now),
    note: labFile === undefined ? `triage: no relay configured (RELAY_URL); using the lab scenario ${DEFAULT_SCENARIO}` : undefined,
    knownNodes: scenario.hosts.map((h) => h.name),
    knownClusters: scenario.clusters.map((c) => c.name),
    close: async () => backend.close?.(),
  };
}

/** lab/default.yaml of this package, wherever the CLI is run from (src/cli under tsx, dist/src/cli compiled). */
function defaultScenarioPath(): string {
  return path.join(packageRoot(fileURLToPath(new URL('.', import.meta.url))), DEFAULT_SCENARIO);
}

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.join(from, '..', '..');
  }
}
