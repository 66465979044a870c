import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendContext, RelayBackend } from '../relay/backend.js';
import { assertStillWanted } from '../relay/deadline.js';
import { OPERATION_NAMES, operations, type OperationName, type OpParams, type OpResult } from '../relay/protocol.js';
import * as directory from './lab-directory-ops.js';
import * as host from './lab-host-ops.js';
import { LabState } from './lab-state.js';
import { testMigration } from './lab-test-migration.js';
import * as writes from './lab-write-ops.js';
import type { Scenario } from './schema.js';

// The relay backend that answers every protocol operation from a lab scenario. Reads come from
// a private mutable copy of the scenario, writes change it, and each operation first waits the
// scenario's injected latency so benchmarks see realistic round trips.

export interface LabBackendOptions {
  /** Overrides the scenario's `latency` (benchmarks). */
  latency?: { hostMs?: number; directoryMs?: number };
}

type Handlers = { [O in OperationName]: (params: OpParams<O>, ctx: BackendContext) => OpResult<O> | Promise<OpResult<O>> };

export class LabBackend implements RelayBackend {
  readonly name = 'lab';
  /** Built from a validated scenario: the relay sends it without validating it again. */
  readonly resultsConform = true;
  readonly state: LabState;
  private readonly handlers: Handlers;
  private readonly latency: { hostMs: number; directoryMs: number };

  constructor(scenario: Scenario, options: LabBackendOptions = {}) {
    this.state = new LabState(scenario);
    this.latency = { ...this.state.latency, ...stripUndefined(options.latency ?? {}) };
    const s = this.state;
    this.handlers = {
      'host.migration-settings': (p) => host.migrationSettings(s, p),
      'host.security': (p) => host.security(s, p),
      'host.events': (p) => host.events(s, p),
      'host.hotfixes': (p) => host.hotfixes(s, p),
      'host.dns': (p) => host.dns(s, p),
      'host.vms': (p) => host.vms(s, p),
      'host.evidence': (p) => host.evidence(s, p),
      'cluster.nodes': (p) => host.clusterNodes(s, p),
      'directory.computers': (p) => directory.computers(s, p),
      'directory.spn-owners': (p) => directory.spnOwners(s, p),
      'directory.user': (p) => directory.user(s, p),
      'directory.apply-delegation': (p) => writes.applyDelegation(s, p),
      'host.purge-tickets': (p) => writes.purgeTickets(s, p),
      'host.set-migration-auth': (p) => writes.setMigrationAuth(s, p),
      'vm.test-migration': (p) => testMigration(s, p),
    };
  }

  supports(op: OperationName): boolean {
    return OPERATION_NAMES.includes(op);
  }

  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext = {}): Promise<OpResult<O>> {
    const delay = op.startsWith('directory.') ? this.latency.directoryMs : this.latency.hostMs;
    if (delay > 0) await sleep(delay, undefined, { signal: ctx.signal });
    // After the injected delay (or a frozen process), a write the caller no longer waits for is not made.
    if (operations[op].write) assertStillWanted(ctx);
    const handler = this.handlers[op] as (p: OpParams<O>, c: BackendContext) => OpResult<O> | Promise<OpResult<O>>;
    return handler(params, ctx);
  }

  async close(): Promise<void> {}
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
