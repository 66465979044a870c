import type { IncomingMessage, Server, ServerResponse } from 'node:http';

// Graceful stop for the relay (issue 16). On close: stop accepting connections, close idle
// keep-alive sockets at once, answer any request that still arrives on an open keep-alive socket
// with 503 and `connection: close` (so a stopped relay never does the next apply's writes),
// let the requests in flight finish until the deadline, then close every socket.

export class Drain {
  private draining = false;
  private readonly open = new Set<ServerResponse>();

  get inFlight(): number {
    return this.open.size;
  }

  wrap(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.draining) {
        req.resume();
        const body = JSON.stringify({ ok: false, error: { code: 'RELAY_UNAVAILABLE', message: 'the relay is stopping and takes no new requests; nothing was done' } });
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
        return;
      }
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      handler(req, res);
    };
  }

  async close(server: Server, deadlineMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const res of this.open) if (!res.headersSent) res.setHeader('connection', 'close');
    const until = Date.now() + deadlineMs;
    while (this.open.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    server.closeAllConnections();
    await closed;
  }
}
