import type { IncomingMessage } from 'node:http';

// Reads a request body up to a limit. Past the limit it stops buffering and reports 'too-large'
// (the caller answers 413 and closes the connection) instead of holding an unbounded body.
export type BodyResult = { ok: true; body: Buffer } | { ok: false; problem: 'too-large' | 'aborted' };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve({ ok: false, problem: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (r: BodyResult): void => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        req.resume();
        finish({ ok: false, problem: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => finish({ ok: false, problem: 'aborted' }));
    req.on('close', () => finish({ ok: false, problem: 'aborted' }));
  });
}
