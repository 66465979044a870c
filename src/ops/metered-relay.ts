import type { OperationName, OpParams, OpResult } from '../relay/protocol.js';
import type { CallOptions, RelayClient } from '../relay/relay-client.js';
import type { BotMetrics } from './metrics.js';

// Times every relay operation the bot makes, by operation and outcome (ok or the RelayError
// code, a fixed set), without changing what the caller sees.
export class MeteredRelayClient implements RelayClient {
  constructor(
    private readonly inner: RelayClient,
    private readonly metrics: BotMetrics,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async call<O extends OperationName>(op: O, params: OpParams<O>, options?: CallOptions): Promise<OpResult<O>> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await this.inner.call(op, params, options);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      outcome = typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? code : 'error';
      throw err;
    } finally {
      this.metrics.relayOp.observe({ operation: op, outcome }, (performance.now() - started) / 1000);
    }
  }
}
