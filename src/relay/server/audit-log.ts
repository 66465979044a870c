import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

// The relay's own audit trail: one JSON line per request, appended and flushed to disk
// (write + fdatasync) before the answer leaves, so an answered request is always on record.
// Concurrent requests share a flush (group commit) to keep fsync off the critical path of each.
// Callers pass parameters already redacted: no approval token, no signature, no key secret.

export interface AuditRecord {
  time: string;
  keyId: string | null;
  operation: string;
  params?: unknown;
  /** Present instead of params when they were too large to keep whole. */
  paramsBytes?: number;
  requester: string | null;
  approvalId: string | null;
  outcome: 'ok' | 'denied' | 'invalid' | 'failed';
  status: number;
  errorCode: string | null;
  /** Why an unauthenticated request was refused (signing contract), when it was. */
  reason?: string;
  durationMs: number;
  remote: string | null;
}

export interface AuditSink {
  append(record: AuditRecord): Promise<void>;
  /** Starts a new file at the same path (after rotation); optional for other sinks. */
  reopen?(): Promise<void>;
  close(): Promise<void>;
}

const MAX_PARAMS_BYTES = 16 * 1024;

/** Keeps the parameters when they are small enough to read; otherwise only their size. */
export function boundedParams(params: unknown): Pick<AuditRecord, 'params' | 'paramsBytes'> {
  const text = JSON.stringify(params ?? null);
  return text.length <= MAX_PARAMS_BYTES ? { params } : { paramsBytes: Buffer.byteLength(text) };
}

export class FileAuditLog implements AuditSink {
  private handle: Promise<FileHandle> | undefined;
  private pending: Array<{ line: string; done: () => void; fail: (e: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;

  constructor(readonly file: string) {}

  append(record: AuditRecord): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.pending.push({ line: `${JSON.stringify(record)}\n`, done, fail });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          const fh = await this.open();
          await fh.appendFile(batch.map((b) => b.line).join(''));
          await fh.datasync();
          for (const b of batch) b.done();
        } catch (e) {
          for (const b of batch) b.fail(e);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private open(): Promise<FileHandle> {
    if (!this.handle) {
      mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      this.handle = open(this.file, 'a', 0o600);
      this.handle.catch(() => (this.handle = undefined));
    }
    return this.handle;
  }

  /** After log rotation (SIGHUP): finish pending lines, then write to a fresh file at the path. */
  async reopen(): Promise<void> {
    if (this.flushing) await this.flushing;
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
  }

  async close(): Promise<void> {
    if (this.flushing) await this.flushing;
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
  }
}
