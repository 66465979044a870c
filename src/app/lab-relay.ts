import { randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { loadScenario } from '../lab/load.js';
import { LabBackend } from '../lab/lab-backend.js';
import { SwitchableBackend } from '../lab/switchable-backend.js';
import { LOOPBACK_OWN_KEY_QUOTAS } from '../relay/server/key-policy.js';
import { startRelayServer, type RunningRelay } from '../relay/server/start-relay-server.js';

// Lab mode runs a real triage-relay on 127.0.0.1 over the signed protocol, answering from a
// scenario file, with fresh random keys each start (nothing to configure, nothing to leak).
export interface LabRelay {
  relay: RunningRelay;
  keyId: string;
  secret: string;
  approvalKey: string;
  scenario(): string;
  select(file: string): Promise<void>;
  /**
   * The current scenario's `now`: its events and hotfixes are dated by it, so every check in lab
   * mode collects and judges evidence at that instant (a switch of scenario moves it).
   */
  scenarioClock: Clock;
}

export async function startLabRelay(scenarioFile: string, auditLog: string, logger?: Logger): Promise<LabRelay> {
  let current = scenarioFile;
  const first = await loadScenario(scenarioFile);
  let now = first.domain.now;
  const backend = new SwitchableBackend(new LabBackend(first));
  const secret = randomBytes(32).toString('hex');
  const approvalKey = randomBytes(32).toString('hex');
  const relay = await startRelayServer({ backend, keys: { lab: secret }, host: '127.0.0.1', port: 0, writesEnabled: true, approvalKey, audit: auditLog, quotas: LOOPBACK_OWN_KEY_QUOTAS, ...(logger ? { logger: logger.child({ component: 'lab-relay' }) } : {}) });
  return {
    relay,
    keyId: 'lab',
    secret,
    approvalKey,
    scenario: () => current,
    async select(file: string) {
      const next = await loadScenario(file);
      backend.swap(new LabBackend(next));
      current = file;
      now = next.domain.now;
    },
    scenarioClock: { now: () => new Date(now) },
  };
}

export function scenarioList(dir = 'lab'): Promise<string[]> {
  return import('node:fs/promises').then(async (fs) => (await fs.readdir(dir)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f)));
}
