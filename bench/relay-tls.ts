import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { runCheck } from '../src/diagnostics/run-check.js';
import { systemClock } from '../src/kernel/clock.js';
import { silentLogger } from '../src/kernel/logger.js';
import { LabBackend } from '../src/lab/lab-backend.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { HttpRelayClient } from '../src/relay/client.js';
import { LOOPBACK_OWN_KEY_QUOTAS } from '../src/relay/server/key-policy.js';
import { startRelayServer } from '../src/relay/server/start-relay-server.js';
import { log, median, round } from './support.js';

// A check over HTTPS (issue 18, item 8): a 64-node check (lab, host 100 ms, directory 50 ms)
// through the signed client to a relay serving TLS with an RSA-2048 certificate (AD CS's usual
// key), both in this process. Counted at the relay: TLS handshakes ('secureConnection'), how many
// were full (not a resumed session), and the process's CPU time for the check. Three rows:
// a client's first check with the session priming (the default), the same without it (what every
// first check paid before: a full handshake per request), and the next check on a warm client
// (kept-alive connections: no handshake at all). Each cold row is the median of `repeats` fresh clients.

export interface TlsCase {
  handshakes: number;
  fullHandshakes: number;
  requests: number;
  wallMs: number;
  cpuMs: number;
}

export interface TlsFigures {
  nodes: number;
  repeats: number;
  primed: TlsCase;
  unprimed: TlsCase;
  warm: TlsCase;
}

export async function measureTls(nodes: number, repeats: number): Promise<TlsFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triage-bench-tls-'));
  const file = (n: string) => path.join(dir, n);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('key.pem'), '-out', file('cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  const cert = readFileSync(file('cert.pem'));
  const scenario = generateClusterScenario({ nodes });
  const secret = 'b'.repeat(32) + '0123456789abcdef';
  const relay = await startRelayServer({
    backend: new LabBackend(scenario, { latency: { hostMs: 100, directoryMs: 50 } }),
    keys: { bench: secret },
    host: '127.0.0.1',
    port: 0,
    audit: file('audit.jsonl'),
    logger: silentLogger,
    quotas: LOOPBACK_OWN_KEY_QUOTAS,
    tls: { cert, key: readFileSync(file('key.pem')) },
  });
  const seen: boolean[] = [];
  relay.server.on('secureConnection', (s: TLSSocket) => seen.push(s.isSessionReused()));
  let requests = 0;
  relay.server.on('request', () => requests++);
  const names = scenario.clusters[0]!.nodes;
  const check = async (client: HttpRelayClient): Promise<TlsCase> => {
    seen.length = 0;
    requests = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await runCheck(client, names, { clock: systemClock, eventWindowHours: 72 });
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (result.diagnosis.verdict.status !== 'healthy') throw new Error(`TLS bench: ${nodes}-node cluster judged ${result.diagnosis.verdict.status}`);
    return { handshakes: seen.length, fullHandshakes: seen.filter((r) => !r).length, requests, wallMs: round(wallMs), cpuMs: round((used.user + used.system) / 1000) };
  };
  const fresh = (prime: boolean) => new HttpRelayClient({ url: relay.url, keyId: 'bench', secret, ca: cert, timeoutMs: 60_000, primeTlsSession: prime });
  try {
    // Warm-up (JIT), not counted.
    const warmUp = fresh(true);
    await check(warmUp);
    warmUp.close();
    const cold: Record<'primed' | 'unprimed', TlsCase[]> = { primed: [], unprimed: [] };
    let warm: TlsCase | undefined;
    for (let i = 0; i < repeats; i++) {
      for (const kind of ['unprimed', 'primed'] as const) {
        const client = fresh(kind === 'primed');
        cold[kind].push(await check(client));
        if (kind === 'primed' && !warm) warm = await check(client);
        client.close();
      }
    }
    const mid = (cases: TlsCase[]): TlsCase => {
      const wall = median(cases.map((c) => c.cpuMs));
      return cases.find((c) => c.cpuMs === wall)!;
    };
    const figures: TlsFigures = { nodes, repeats, primed: mid(cold.primed), unprimed: mid(cold.unprimed), warm: warm! };
    const show = (c: TlsCase) => `${c.handshakes} handshakes (${c.fullHandshakes} full) for ${c.requests} requests, ${c.cpuMs} ms CPU, ${c.wallMs} ms`;
    log(`TLS ${nodes} nodes: first check ${show(figures.primed)}; without priming ${show(figures.unprimed)}; next check ${show(figures.warm)}`);
    return figures;
  } finally {
    await relay.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
