import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { collectEvidence } from '../../../src/diagnostics/collect.js';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import type { BackendContext, RelayBackend } from '../../../src/relay/backend.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError, type OperationName, type OpParams, type OpResult } from '../../../src/relay/protocol.js';
import { COLLECTED_AT, DOMAIN, fqdn, healthyComputer, healthyUser, nodeNames } from '../../helpers/evidence-builder.js';
import { CountingRelayClient } from '../../helpers/fakes.js';

// Collection through a recording backend behind the real in-process client (so every request
// and answer is validated against the protocol schemas). Host answers are held back until every
// host read has started (or 2 s pass), which proves the reads run in parallel: a sequential
// collector would record an end before the last start. The backend answers host.evidence (one
// request per node) unless told to behave like a relay that predates it.

interface Call {
  op: OperationName;
  params: Record<string, unknown>;
  ctx: BackendContext;
}

class RecordingBackend implements RelayBackend {
  readonly name = 'recording';
  readonly calls: Call[] = [];
  readonly timeline: Array<{ kind: 'start' | 'end'; op: OperationName }> = [];
  private started = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
    setTimeout(resolve, 2000);
  });

  constructor(
    private readonly nodes: string[],
    private readonly failures: Map<string, RelayError | Error> = new Map(),
    private readonly offersEvidence = true,
  ) {}

  supports(): boolean {
    return true;
  }

  /** Host requests a check makes: one host.evidence per node, or six single reads per node. */
  private get hostReads(): number {
    return this.nodes.length * (this.offersEvidence ? 1 : 6);
  }

  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    const p = params as Record<string, unknown>;
    this.calls.push({ op, params: p, ctx });
    this.timeline.push({ kind: 'start', op });
    if (op === 'host.evidence' && !this.offersEvidence) throw new RelayError('NOT_FOUND', 'unknown operation host.evidence');
    if (op.startsWith('host.')) {
      if (++this.started === this.hostReads) this.release();
      await this.gate;
    } else await Promise.resolve();
    this.timeline.push({ kind: 'end', op });
    const failure = this.failures.get(`${op} ${String(p.node ?? '')}`);
    if (failure) throw failure;
    return (op === 'host.evidence' ? this.evidence(p) : this.answer(op, p)) as OpResult<O>;
  }

  /** Each part as its single read answers, or its own failure (a part never sinks the others). */
  private evidence(p: Record<string, unknown>): unknown {
    const part = (op: OperationName, params: Record<string, unknown>) => {
      const failure = this.failures.get(`${op} ${String(p.node)}`);
      if (failure instanceof RelayError) return { ok: false, error: { code: failure.code, message: failure.message } };
      if (failure) return { ok: false, error: { code: 'INTERNAL', message: `unexpected error: ${failure.message}` } };
      return { ok: true, value: this.answer(op, params) };
    };
    const node = { node: p.node };
    return {
      migration: part('host.migration-settings', node),
      security: part('host.security', node),
      events: part('host.events', node),
      hotfixes: part('host.hotfixes', node),
      dns: part('host.dns', { node: p.node, names: p.names }),
      vms: part('host.vms', node),
    };
  }

  private answer(op: OperationName, p: Record<string, unknown>): unknown {
    const others = (node: unknown) => this.nodes.filter((n) => n !== node);
    switch (op) {
      case 'host.migration-settings':
        return { enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 };
      case 'host.security':
        return { os: 'Windows Server 2025', credentialGuardRunning: true, credentialGuardConfigured: true, clockOffsetSeconds: 0 };
      case 'host.events':
        return { events: [] };
      case 'host.hotfixes':
        return { hotfixes: [] };
      case 'host.dns':
        return { answers: (p.names as string[]).map((name) => ({ name, resolvedTo: name.includes('.') ? name : fqdn(name) })) };
      case 'host.vms':
        return { vms: [{ name: `VM-${String(p.node)}`, state: 'Running', isClustered: true }] };
      case 'directory.computers':
        return {
          domain: { fqdn: DOMAIN, netbios: 'LAB' },
          computers: (p.names as string[]).map((n) => healthyComputer(n, others(n))),
          notFound: [],
          currentTime: COLLECTED_AT,
        };
      case 'directory.spn-owners':
        return { owners: (p.spns as string[]).map((spn) => ({ spn, accounts: [`${spn.split('/')[1]!.split('.')[0]!.toUpperCase()}$`] })) };
      case 'directory.user':
        return { user: healthyUser() };
      default:
        throw new RelayError('NOT_FOUND', `unexpected ${op}`);
    }
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.op.startsWith(prefix)).length;
  }
}

function setup(nodes: string[], failures?: Map<string, RelayError | Error>, offersEvidence = true) {
  const backend = new RecordingBackend(nodes, failures, offersEvidence);
  const relay = new CountingRelayClient(new InProcessRelayClient(backend, 'recording backend'));
  return { backend, relay };
}

const options = { clock: fixedClock(COLLECTED_AT), eventWindowHours: 48, requester: 'U123' };

describe('collectEvidence', () => {
  it.each([2, 16, 64])('for %i nodes: 2 directory round trips, one host.evidence request per node, all in parallel', async (n) => {
    const nodes = nodeNames(n);
    const { backend, relay } = setup(nodes);
    const done: Array<[string, boolean]> = [];
    const evidence = await collectEvidence(relay, nodes, { ...options, onHostDone: (node, reachable) => done.push([node, reachable]) });

    expect(relay.count('directory.')).toBe(2);
    expect(relay.counts.get('directory.computers')).toBe(1);
    expect(relay.counts.get('directory.spn-owners')).toBe(1);
    expect(relay.count('host.')).toBe(n);
    expect(relay.counts.get('host.evidence')).toBe(n);

    const hosts = backend.timeline.filter((t) => t.op.startsWith('host.'));
    const lastStart = hosts.map((t) => t.kind).lastIndexOf('start');
    const firstEnd = hosts.map((t) => t.kind).indexOf('end');
    expect(lastStart).toBeLessThan(firstEnd);
    // The directory chain runs alongside: its first query began before any host read finished.
    const all = backend.timeline;
    expect(all.findIndex((t) => t.op === 'directory.computers')).toBeLessThan(all.findIndex((t) => t.kind === 'end' && t.op.startsWith('host.')));

    const computers = backend.calls.find((c) => c.op === 'directory.computers')!;
    expect(computers.params.names).toEqual(nodes);
    const spns = backend.calls.find((c) => c.op === 'directory.spn-owners')!.params.spns as string[];
    expect(spns).toHaveLength(4 * n); // migration service and HOST, short and FQDN
    expect(spns).toContain(`Microsoft Virtual System Migration Service/${nodes[n - 1]}`);
    expect(spns).toContain(`Microsoft Virtual System Migration Service/${fqdn(nodes[n - 1]!)}`);
    expect(spns).toContain(`HOST/${fqdn(nodes[n - 1]!)}`);

    const first = backend.calls.find((c) => c.op === 'host.evidence' && c.params.node === nodes[0])!;
    // Every peer by short name and by FQDN (dNSHostName), asked once the directory answered.
    expect(first.params.names).toEqual(nodes.slice(1).flatMap((p) => [p, fqdn(p)]));
    expect(backend.calls.filter((c) => c.op === 'host.evidence').every((c) => c.params.sinceHours === 48)).toBe(true);
    expect(backend.calls.every((c) => c.ctx.requester === 'U123')).toBe(true);

    expect(done.map(([node]) => node).sort()).toEqual([...nodes].sort());
    expect(done.every(([, reachable]) => reachable)).toBe(true);
    expect(evidence.nodes).toEqual(nodes);
    expect(evidence.collectedAt).toBe(COLLECTED_AT);
    expect(Object.keys(evidence.hosts)).toHaveLength(n);
    expect(diagnose(evidence).verdict.status).toBe('healthy');
  });

  it.each([2, 16])('for %i nodes on a relay without host.evidence: the six single reads per node, and no second try', async (n) => {
    const nodes = nodeNames(n);
    const { backend, relay } = setup(nodes, undefined, false);
    const evidence = await collectEvidence(relay, nodes, options);
    expect(relay.count('host.') - (relay.counts.get('host.evidence') ?? 0)).toBe(6 * n);
    const dns = backend.calls.find((c) => c.op === 'host.dns' && c.params.node === nodes[0])!;
    expect(dns.params.names).toEqual(nodes.slice(1).flatMap((p) => [p, fqdn(p)]));
    expect(diagnose(evidence).verdict.status).toBe('healthy');
    const tried = relay.counts.get('host.evidence') ?? 0;
    expect(tried).toBeGreaterThan(0);
    await collectEvidence(relay, nodes, options);
    expect(relay.counts.get('host.evidence') ?? 0).toBe(tried);
  });

  it.each([2, 16, 64])('for %i nodes with a named initiator: exactly 3 directory round trips, the user lookup in parallel', async (n) => {
    const nodes = nodeNames(n);
    const { backend, relay } = setup(nodes);
    const evidence = await collectEvidence(relay, nodes, { ...options, initiator: 'alice@lab.test' });
    expect(relay.count('directory.')).toBe(3);
    expect(backend.calls.find((c) => c.op === 'directory.user')!.params).toEqual({ id: 'alice@lab.test' });
    expect(evidence.directory.initiator).toEqual({ id: 'alice@lab.test', outcome: { ok: true, value: { user: healthyUser() } } });
    // directory.user starts before directory.computers ends: it does not wait for the chain.
    const t = backend.timeline;
    expect(t.findIndex((x) => x.op === 'directory.user')).toBeLessThan(t.findIndex((x) => x.kind === 'end' && x.op === 'directory.computers'));
  });

  it.each([16, 64])('for %i nodes: one failing read of one node leaves every other read intact, recorded as a failure', async (n) => {
    const nodes = nodeNames(n);
    const failures = new Map<string, RelayError | Error>([['host.security HV07', new RelayError('HOST_UNREACHABLE', 'WinRM: HV07 did not answer')]]);
    const { relay } = setup(nodes, failures);
    const done = new Map<string, boolean>();
    const evidence = await collectEvidence(relay, nodes, { ...options, onHostDone: (node, reachable) => done.set(node, reachable) });

    expect(evidence.hosts.HV07!.security).toEqual({ ok: false, error: { code: 'HOST_UNREACHABLE', message: 'WinRM: HV07 did not answer' } });
    expect([evidence.hosts.HV07!.migration, evidence.hosts.HV07!.events, evidence.hosts.HV07!.hotfixes, evidence.hosts.HV07!.dns].every((o) => o.ok)).toBe(true);
    for (const node of nodes.filter((x) => x !== 'HV07')) {
      const h = evidence.hosts[node]!;
      expect([h.migration, h.security, h.events, h.hotfixes, h.dns].every((o) => o.ok)).toBe(true);
    }
    expect(evidence.directory.computers.ok && evidence.directory.spnOwners.ok).toBe(true);
    expect(done.get('HV07')).toBe(false);
    expect([...done.values()].filter((r) => r)).toHaveLength(n - 1);

    const d = diagnose(evidence);
    expect(d.findings.map((f) => `${f.code} ${f.node}`)).toEqual(['NODE_UNREACHABLE HV07']);
    // Security is needed both ways: every direction to and from HV07 is unknown, the rest ok.
    expect(d.directions.filter((x) => x.status === 'unknown')).toHaveLength(2 * (n - 1));
    expect(d.directions.filter((x) => x.status === 'unknown').every((x) => x.from === 'HV07' || x.to === 'HV07')).toBe(true);
    expect(d.directions.filter((x) => x.status === 'ok')).toHaveLength(n * (n - 1) - 2 * (n - 1));
  });

  it('records a failed directory as failures (one round trip: the SPN lookup is not attempted), hosts intact', async () => {
    const nodes = nodeNames(4);
    const failures = new Map<string, RelayError | Error>([['directory.computers ', new RelayError('DIRECTORY_UNREACHABLE', 'LDAPS to dc01.lab.test timed out')]]);
    const { relay } = setup(nodes, failures);
    const evidence = await collectEvidence(relay, nodes, options);
    expect(relay.count('directory.')).toBe(1);
    expect(evidence.directory.computers).toEqual({ ok: false, error: { code: 'DIRECTORY_UNREACHABLE', message: 'LDAPS to dc01.lab.test timed out' } });
    expect(evidence.directory.spnOwners.ok).toBe(false);
    expect(Object.values(evidence.hosts).every((h) => h.migration.ok && h.security.ok && h.dns.ok)).toBe(true);
    const d = diagnose(evidence);
    expect(d.verdict).toMatchObject({ status: 'unknown', rootCauses: ['DIRECTORY_UNREACHABLE'] });
    expect(d.findings[0]!.message).toBe('The directory could not be read (DIRECTORY_UNREACHABLE: LDAPS to dc01.lab.test timed out); AD checks (delegation, SPNs, encryption types) are missing');
  });

  it('turns an unexpected (non-relay) error into a failed read, not a crash', async () => {
    const nodes = nodeNames(2);
    const { relay } = setup(nodes, new Map([['host.hotfixes HV02', new Error('socket hang up')]]));
    const evidence = await collectEvidence(relay, nodes, options);
    expect(evidence.hosts.HV02!.hotfixes).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'unexpected error: socket hang up' } });
  });

  it('runCheck collects and diagnoses in one call', async () => {
    const nodes = nodeNames(3);
    const { relay } = setup(nodes);
    const { diagnosis, evidence } = await runCheck(relay, nodes, options);
    expect(diagnosis).toEqual(diagnose(evidence));
    expect(diagnosis.directions).toHaveLength(6);
  });
});
