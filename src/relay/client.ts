import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import { currentRequestId, REQUEST_ID_HEADER, requestIdSchema } from '../kernel/request-id.js';
import { HostLimiter } from './host-limiter.js';
import { describeTransportError, parseAnswer, RESPONSE_LIMIT_BYTES } from './client-errors.js';
import { operations, RelayError, type OperationName, type OpParams, type OpResult } from './protocol.js';
import type { CallOptions, RelayClient } from './relay-client.js';
import { deadlineHeaders } from './deadline.js';
import { SIGNATURE_HEADERS, signRequest } from './signing.js';

// The bot's side of the signed relay protocol (docs/relay-protocol.md). Every call is validated
// before it leaves and its answer after it arrives; it is signed, bounded by a timeout, held to a
// per-host concurrency cap, and retried only when it is a read that never reached the relay.
// Built from config by `create-http-client.ts`.

export interface HttpRelayClientOptions {
  url: string;
  keyId: string;
  secret: string;
  timeoutMs?: number;
  /** Per-operation timeouts; a test migration moves a VM and takes minutes, not seconds. */
  timeoutsByOp?: Partial<Record<OperationName, number>>;
  concurrencyPerHost?: number;
  /** Extra attempts for reads after a connection failure (writes are never retried). */
  readRetries?: number;
  retryBaseMs?: number;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  clock?: Clock;
  maxSockets?: number;
  /**
   * HTTPS: hold a burst of requests behind the first new connection until it has a TLS session
   * the others can resume (default true; false only to measure the difference).
   */
  primeTlsSession?: boolean;
  /** Where a failed call is logged: one line, no stack (default: nowhere). */
  logger?: Logger;
}

/** A TLS session is trusted for resumption this long (Node's server issues tickets for 300 s). */
const TLS_SESSION_FRESH_MS = 240_000;

/** Failures that say something about the bot's link to the relay, not about a host: warn. */
const LINK_FAILURES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'RELAY_UNAVAILABLE', 'TIMEOUT', 'BAD_RESPONSE', 'INTERNAL']);

/** Enough for every read of a 64-node check at once (5 per node + the directory chain). */
export const DEFAULT_MAX_SOCKETS = 512;

interface Attempt {
  status: number;
  body: Buffer;
}

export class HttpRelayClient implements RelayClient {
  readonly description: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly limiter: HostLimiter;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly timeoutsByOp: Partial<Record<OperationName, number>>;
  private readonly readRetries: number;
  private readonly retryBaseMs: number;
  /** HTTPS: when a connection last received a TLS session (the agent caches it for resumption). */
  private tlsSessionAt = -Infinity;
  /** HTTPS: the request whose new connection is getting a session while the others wait. */
  private tlsPriming?: Promise<void>;
  private readonly watched = new WeakSet<object>();

  constructor(private readonly options: HttpRelayClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new Error(`relay URL must be http(s): ${options.url}`);
    // Shown in chat footers and the CLI: the relay's name, not its URL (scheme and port are noise there).
    this.description = `relay ${this.base.hostname}`;
    // A 64-node check has 5 reads per node in flight at once (the per-host cap bounds each
    // node); fewer sockets than that queue requests in the agent and cost whole extra latency
    // rounds (bench: 64 sockets took 5 rounds). Idle sockets stay open for the next check.
    const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    this.agent = this.base.protocol === 'https:'
      ? new https.Agent({ ...agentOptions, ca: options.ca, cert: options.cert, key: options.key })
      : new http.Agent(agentOptions);
    this.limiter = new HostLimiter(options.concurrencyPerHost ?? 8);
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.timeoutsByOp = { 'vm.test-migration': Math.max(this.timeoutMs, 10 * 60_000), ...options.timeoutsByOp };
    this.readRetries = options.readRetries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 100;
  }

  async call<O extends OperationName>(op: O, params: OpParams<O>, options: CallOptions = {}): Promise<OpResult<O>> {
    const spec = operations[op];
    const checked = spec.params.safeParse(params);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new RelayError('BAD_REQUEST', `invalid parameters for ${op}: ${issue?.path.join('.') || '(body)'}: ${issue?.message}`);
    }
    const p = checked.data as Record<string, unknown>;
    const host = typeof p.node === 'string' ? p.node : typeof p.source === 'string' ? p.source : undefined;
    let result: unknown;
    try {
      const answer = await this.limiter.run(host, () => this.withRetries(op, JSON.stringify(p), spec.write, options), options.signal);
      result = parseAnswer(this.base.origin, op, answer.status, answer.body);
    } catch (e) {
      if (e instanceof RelayError && this.options.logger) {
        const fields = { operation: op, code: e.code, error: e.message, ...(options.requestId ? { requestId: options.requestId } : {}) };
        if (LINK_FAILURES.has(e.code)) this.options.logger.warn('relay call failed', fields);
        else this.options.logger.debug('relay call failed', fields);
      }
      throw e;
    }
    const out = spec.result.safeParse(result);
    if (!out.success) throw new RelayError('BAD_RESPONSE', `the relay at ${this.base.origin} answered ${op} with data that does not match the protocol`);
    return out.data as OpResult<O>;
  }

  close(): void {
    this.agent.destroy();
  }

  private async withRetries(op: OperationName, body: string, write: boolean, options: CallOptions): Promise<Attempt> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await this.send(op, body, options);
        if ((answer.status === 503 || answer.status === 429) && !write && attempt < this.readRetries) throw new RelayError('RELAY_UNAVAILABLE', 'busy');
        return answer;
      } catch (e) {
        const retryable = e instanceof RelayError && e.code === 'RELAY_UNAVAILABLE';
        if (write || !retryable || attempt >= this.readRetries || options.signal?.aborted) throw e;
        const delay = this.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private send(op: OperationName, body: string, options: CallOptions): Promise<Attempt> {
    const path = `${this.base.pathname.replace(/\/+$/, '')}/v1/ops/${op}`;
    const timeoutMs = this.timeoutsByOp[op] ?? this.timeoutMs;
    const signed = signRequest({ keyId: this.options.keyId, secret: this.options.secret, method: 'POST', path, body, clock: this.clock });
    const headers: Record<string, string | number> = {
      ...signed,
      // The relay must not start (or go on with) work this call will no longer wait for.
      ...deadlineHeaders(this.options.secret, signed[SIGNATURE_HEADERS.nonce]!, this.clock.now().getTime() + timeoutMs),
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (options.requester) headers['x-triage-requester'] = requesterHeader(options.requester);
    // Not signed: it only links the relay's audit line to the bot's log (docs/relay-protocol.md).
    const requestId = options.requestId ?? currentRequestId();
    if (requestId !== undefined && requestIdSchema.safeParse(requestId).success) headers[REQUEST_ID_HEADER] = requestId;
    const lib = this.base.protocol === 'https:' ? https : http;
    return this.tlsTurn().then((primed) => new Promise<Attempt>((resolve, reject) => {
      let timedOut = false;
      let req: http.ClientRequest;
      try {
        req = lib.request({ protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port, method: 'POST', path, headers, agent: this.agent });
      } catch (e) {
        primed?.();
        reject(new RelayError('RELAY_UNAVAILABLE', `the request to the relay at ${this.base.origin} could not be made: ${(e as Error).message}`));
        return;
      }
      if (lib === https) this.watchTlsSession(req, primed);
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        req.destroy();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        primed?.();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: NodeJS.ErrnoException): void => {
        done();
        if (timedOut) reject(new RelayError('TIMEOUT', `the relay at ${this.base.origin} did not answer ${op} within ${formatMs(timeoutMs)}`));
        else if (options.signal?.aborted) reject(new RelayError('RELAY_UNAVAILABLE', `the call to ${op} was cancelled`));
        else reject(new RelayError('RELAY_UNAVAILABLE', `the relay at ${this.base.origin} did not answer: ${describeTransportError(e)}`));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > RESPONSE_LIMIT_BYTES) {
            done();
            reject(new RelayError('BAD_RESPONSE', `the relay at ${this.base.origin} sent an answer larger than ${RESPONSE_LIMIT_BYTES} bytes`));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          done();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' })));
      });
      req.end(body);
    }));
  }

  /**
   * HTTPS connection reuse. Idle connections are kept alive (the agent), and a new connection
   * resumes the TLS session of an earlier one (the agent's session cache), which skips the
   * certificate exchange and the server's signature. But a 64-node check starts ~320 requests at
   * once: without a session yet, each would make a full handshake (bench: 322 handshakes, 2.4 s of
   * CPU). So while no fresh session is cached, one request goes first and the rest wait until its
   * connection has a session (or it ends). Resolves with the release function for that one request.
   */
  private async tlsTurn(): Promise<(() => void) | undefined> {
    if (this.base.protocol !== 'https:' || this.options.primeTlsSession === false) return undefined;
    while (performance.now() - this.tlsSessionAt > TLS_SESSION_FRESH_MS) {
      if (!this.tlsPriming) {
        let release!: () => void;
        const priming = new Promise<void>((r) => (release = r));
        this.tlsPriming = priming;
        return () => {
          if (this.tlsPriming === priming) this.tlsPriming = undefined;
          release();
        };
      }
      await this.tlsPriming;
    }
    return undefined;
  }

  /** Notes every TLS session a connection receives; the priming request's arrival releases the rest. */
  private watchTlsSession(req: http.ClientRequest, primed: (() => void) | undefined): void {
    req.once('socket', (socket) => {
      if (this.watched.has(socket)) return;
      this.watched.add(socket);
      socket.on('session', () => {
        this.tlsSessionAt = performance.now();
        primed?.();
      });
    });
  }
}

/** Printable ASCII as it is; anything else percent-encoded, so a header can always carry it. */
export function requesterHeader(requester: string): string {
  const printable = /^[\x21-\x7e][\x20-\x7e]*$/.test(requester) ? requester : encodeURIComponent(requester);
  return printable.slice(0, 256);
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
