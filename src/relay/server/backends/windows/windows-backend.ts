import type { BackendContext, RelayBackend } from '../../../backend.js';
import { HostLimiter } from '../../../host-limiter.js';
import { RelayError, type OperationName, type OpParams, type OpResult } from '../../../protocol.js';
import { parseEnvelope, remoteError } from './envelope.js';
import { dcEvidence, dcHotfixes, dcKdcEvents } from './dc-results.js';
import { hostEvidence } from './evidence-result.js';
import { buildInvocation, encodeParams } from './invocation.js';
import type { PwshPool, PwshPoolStats } from './pwsh-pool.js';
import * as read from './read-results.js';
import { isWindowsOperation, loadScripts, SCRIPT_SPECS, scriptParamsSchema, type WindowsOperation } from './script-catalog.js';
import * as write from './write-results.js';

// The windows backend: host, cluster and VM operations run as fixed PowerShell scripts on a
// pool of long-lived processes, each script reaching the node through Invoke-Command against a
// JEA endpoint (reads and writes on separate endpoints). Parameters cross into PowerShell only
// as base64 JSON; answers come back as JSON and are parsed strictly.

export interface WindowsBackendOptions {
  pool: PwshPool;
  /** JEA session configuration for reads (JEA_CONFIGURATION_NAME). */
  readEndpoint: string;
  /** JEA session configuration for writes (JEA_WRITE_CONFIGURATION_NAME). */
  writeEndpoint: string;
  /** JEA session configuration on the domain controllers (JEA_DC_CONFIGURATION_NAME, default HvLmDcDiag; issue 19). */
  dcEndpoint?: string;
  /** Where the .ps1 files live (default: ./scripts next to this file). */
  scriptsDir?: string;
  /** Most commands against one node at once (PWSH_HOST_CONCURRENCY; default 2). */
  hostConcurrency?: number;
  /** A kept JEA session unused this long is closed (PWSH_SESSION_IDLE_MS; default 300 s). */
  sessionIdleMs?: number;
}

const ENDPOINT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DEFAULT_DC_ENDPOINT = 'HvLmDcDiag';

type Parser = (data: unknown, params: never, endpoint: string) => unknown;
const PARSERS: Record<WindowsOperation, Parser> = {
  'host.migration-settings': read.migrationSettings,
  'host.security': read.hostSecurity,
  'host.events': read.hostEvents,
  'host.hotfixes': read.hostHotfixes,
  'host.dns': read.hostDns,
  'host.vms': read.hostVms,
  'host.evidence': hostEvidence,
  'cluster.nodes': read.clusterNodes,
  'host.purge-tickets': write.purgeTickets,
  'host.set-migration-auth': write.setMigrationAuth,
  'vm.test-migration': write.testVmMigration,
  'dc.kdc-events': dcKdcEvents,
  'dc.hotfixes': dcHotfixes,
  'dc.evidence': dcEvidence,
};

export class WindowsBackend implements RelayBackend {
  readonly name = 'windows';
  private readonly scripts: Map<WindowsOperation, string>;
  private readonly perHost: HostLimiter;

  constructor(private readonly options: WindowsBackendOptions) {
    for (const endpoint of [options.readEndpoint, options.writeEndpoint, options.dcEndpoint ?? DEFAULT_DC_ENDPOINT]) {
      if (!ENDPOINT_NAME.test(endpoint)) throw new Error(`JEA configuration name "${endpoint}" may contain only letters, digits, dots, hyphens and underscores`);
    }
    this.scripts = loadScripts(options.scriptsDir);
    this.perHost = new HostLimiter(options.hostConcurrency ?? 2);
  }

  supports(op: OperationName): boolean {
    return isWindowsOperation(op);
  }

  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    if (!isWindowsOperation(op)) throw new RelayError('NOT_FOUND', `operation ${op} is not available on the windows backend`);
    const spec = SCRIPT_SPECS[op];
    const endpoint = spec.endpoint === 'read' ? this.options.readEndpoint : spec.endpoint === 'dc' ? (this.options.dcEndpoint ?? DEFAULT_DC_ENDPOINT) : this.options.writeEndpoint;
    // The approval token was checked by the relay and means nothing to a host: it stays here.
    // The rest is re-checked strictly, so nothing unvalidated reaches PowerShell.
    const { approval: _approval, ...forHost } = params as Record<string, unknown>;
    const checked = scriptParamsSchema(op).safeParse(forHost);
    if (!checked.success) throw new RelayError('BAD_REQUEST', `invalid parameters for ${op}: ${checked.error.issues[0]?.message}`);
    // The off-box test migration also reads both nodes' events through the read endpoint.
    const readEndpoint = op === 'vm.test-migration' ? { readEndpoint: this.options.readEndpoint } : {};
    const command = buildInvocation(this.scripts.get(op)!, encodeParams({ endpoint, ...readEndpoint, params: checked.data, sessionIdleMs: this.options.sessionIdleMs ?? 300_000 }));
    // One node's commands queue behind each other beyond hostConcurrency (each holds a JEA
    // session there); the pool runs them within what is left of the caller's deadline.
    const host = targetOf(params);
    const run = () => this.options.pool.run(command, ctx.signal, { host, ...(ctx.deadlineMs !== undefined ? { deadlineMs: ctx.deadlineMs } : {}) });
    const stdout = await this.perHost.run(host, run, ctx.signal).catch((err: unknown) => {
      if (err instanceof RelayError) throw err;
      throw new RelayError('TIMEOUT', 'the request was cancelled while it waited for a free session on the node');
    });
    const envelope = parseEnvelope(stdout, op);
    if (!envelope.ok) throw remoteError(envelope, op, targetOf(params), endpoint);
    return PARSERS[op](envelope.data, params as never, endpoint) as OpResult<O>;
  }

  /** Processes started so far, alive, busy, and commands waiting (for metrics and the benchmark). */
  poolStats(): PwshPoolStats {
    return this.options.pool.stats();
  }

  async close(): Promise<void> {
    await this.options.pool.close();
  }
}

/** The host a failure is about, for its message. */
function targetOf(params: unknown): string {
  const p = params as { node?: string; cluster?: string; source?: string; dc?: string };
  return p.node ?? p.cluster ?? p.source ?? p.dc ?? 'host';
}
