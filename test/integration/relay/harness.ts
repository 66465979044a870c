import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BackendContext, RelayBackend } from '../../../src/relay/backend.js';
import type { OperationName, OpParams, OpResult } from '../../../src/relay/protocol.js';
import { signRequest } from '../../../src/relay/signing.js';
import { LOOPBACK_OWN_KEY_QUOTAS } from '../../../src/relay/server/key-policy.js';
import { startRelayServer, type RelayServerOptions, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { systemClock, type Clock } from '../../../src/kernel/clock.js';
import { silentLogger } from '../../../src/kernel/logger.js';

// Shared by the relay's HTTP tests: a spy backend that records every call and answers valid
// protocol results, a relay started on 127.0.0.1 around it, and a raw signed POST.

export const KEY_ID = 'bot';
export const SECRET = 'a'.repeat(16) + '0123456789abcdef0123456789abcdef';
export const APPROVAL_KEY = 'approval-key-' + 'b'.repeat(40);

export function hyperVHost(name: string, uac = 4096): OpResult<'directory.computers'>['computers'][number] {
  const fqdn = `${name.toLowerCase()}.contoso.com`;
  return {
    name,
    distinguishedName: `CN=${name},OU=Hyper-V,DC=contoso,DC=com`,
    dnsHostName: fqdn,
    userAccountControl: uac,
    allowedToDelegateTo: [],
    servicePrincipalNames: [`HOST/${name}`, `Microsoft Virtual System Migration Service/${name}`, `Microsoft Virtual System Migration Service/${fqdn}`],
    supportedEncryptionTypes: 28,
    allowedToActOnBehalfOf: [],
  };
}

const sample = { events: [] as never[], time: '2026-01-01T00:00:00Z' };
const delegation = { allowedToDelegateTo: [], userAccountControl: 4096 };

export const SAMPLE_RESULTS: { [O in OperationName]: OpResult<O> } = {
  'host.migration-settings': { enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 },
  'host.security': { os: 'Windows Server 2022', credentialGuardRunning: false, credentialGuardConfigured: false, clockOffsetSeconds: 0 },
  'host.events': { events: sample.events },
  'host.hotfixes': { hotfixes: [{ id: 'KB5021131', installedOn: '2026-01-01' }] },
  'host.dns': { answers: [{ name: 'HV02', resolvedTo: 'hv02.contoso.com' }] },
  'host.vms': { vms: [{ name: 'web01', state: 'Running' }] },
  'host.evidence': {
    migration: { ok: true, value: { enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 } },
    security: { ok: false, error: { code: 'BACKEND_ERROR', message: 'HV01: the JEA endpoint HvLmDiag could not run host.security (CommandNotFoundException)' } },
    events: { ok: true, value: { events: sample.events } },
    hotfixes: { ok: true, value: { hotfixes: [] } },
    dns: { ok: true, value: { answers: [{ name: 'HV02', resolvedTo: 'hv02.contoso.com' }] } },
    vms: { ok: true, value: { vms: [] } },
  },
  'cluster.nodes': { cluster: 'CL01', nodes: ['HV01', 'HV02'] },
  // HV01 and HV02 are Hyper-V hosts (their own migration SPN), so writes between them pass the
  // relay's write limits; every other name is not found.
  'directory.computers': { domain: { fqdn: 'contoso.com', netbios: 'CONTOSO' }, computers: [hyperVHost('HV01'), hyperVHost('HV02')], notFound: [], currentTime: sample.time },
  'directory.spn-owners': { owners: [] },
  'directory.user': { user: null },
  'directory.apply-delegation': { applied: [{ computer: 'HV01', before: delegation, after: delegation }] },
  'host.purge-tickets': { purged: true },
  'host.set-migration-auth': { before: 'CredSSP', after: 'Kerberos' },
  'vm.test-migration': { succeeded: true, durationMs: 1200, message: 'moved', events: [] },
  'dc.list': { dcs: [{ name: 'DC01', dnsHostName: 'dc01.contoso.com', site: 'Default-First-Site-Name', readOnly: false }] },
  'dc.kdc-events': { events: [] },
  'dc.hotfixes': { hotfixes: [] },
  'dc.evidence': { kdcEvents: { ok: true, value: { events: [] } }, hotfixes: { ok: true, value: { hotfixes: [] } } },
  'directory.replication': { dcs: [{ dc: 'DC01', ok: true, computers: [] }] },
};

export interface SpyCall {
  op: OperationName;
  params: unknown;
  ctx: BackendContext;
}

export class SpyBackend implements RelayBackend {
  readonly name = 'spy';
  readonly calls: SpyCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Optional hook run inside each call (a delay, a throw, a check of the audit file). */
  hook?: (op: OperationName, params: unknown) => Promise<void> | void;

  supports(): boolean {
    return true;
  }

  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    this.calls.push({ op, params, ctx });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.hook?.(op, params);
      return SAMPLE_RESULTS[op];
    } finally {
      this.inFlight--;
    }
  }
}

export function tempDir(prefix = 'relay-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startSpyRelay(overrides: Partial<RelayServerOptions> = {}): Promise<{ relay: RunningRelay; spy: SpyBackend; auditFile: string }> {
  const spy = (overrides.backend as SpyBackend | undefined) ?? new SpyBackend();
  const auditFile = path.join(tempDir(), 'audit.jsonl');
  // The tests' own key is not throttled unless a test asks for quotas (flood tests do).
  const relay = await startRelayServer({ backend: spy, keys: { [KEY_ID]: SECRET }, audit: auditFile, logger: silentLogger, quotas: LOOPBACK_OWN_KEY_QUOTAS, ...overrides });
  return { relay, spy, auditFile };
}

export interface RawAnswer {
  status: number;
  json: { ok: boolean; result?: unknown; error?: { code: string; message: string; details?: unknown } };
  text: string;
}

/** Sends bytes exactly as given (headers included), for tests that break the contract on purpose. */
export function rawPost(url: string, pathName: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ hostname: u.hostname, port: u.port, method, path: pathName, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawAnswer['json'];
        try {
          json = JSON.parse(text) as RawAnswer['json'];
        } catch {
          json = { ok: false };
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A correctly signed POST of `params` to `/v1/ops/<op>`. */
export function signedPost(url: string, op: string, params: unknown, opts: { keyId?: string; secret?: string; clock?: Clock; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const body = JSON.stringify(params);
  const p = `/v1/ops/${op}`;
  const headers = signRequest({ keyId: opts.keyId ?? KEY_ID, secret: opts.secret ?? SECRET, method: 'POST', path: p, body, clock: opts.clock ?? systemClock });
  return rawPost(url, p, body, { ...headers, ...opts.headers });
}
