import { mkdirSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { capForAudit } from './json-limits.js';

// The relay's own audit trail: one JSON line per request, appended and flushed to disk
// (write + fdatasync) before the answer leaves, so an answered request is always on record.
// Concurrent requests share a flush (group commit) to keep fsync off the critical path of each.
// Callers pass parameters already redacted: no approval token, no signature, no key secret.
// A write gets two lines: `started` before any backend acts (if it cannot be written, nothing
// runs) and its outcome after. Size-based rotation: past `maxBytes` the file is renamed to
// `<file>.1` (older ones shift to .2 …, beyond `keep` they are deleted) and a new file begins.

export interface AuditRecord {
  time: string;
  /** The authenticated key id; null when the request was not authenticated. */
  keyId: string | null;
  /** The key id an unauthenticated request named (well-formed ones only). */
  claimedKeyId?: string;
  operation: string;
  params?: unknown;
  /** Present instead of params when they were too large to keep whole. */
  paramsBytes?: number;
  requester: string | null;
  /** The caller's x-triage-request-id when it sent a well-formed one: the bot's log and audit rows carry the same id. */
  requestId?: string;
  /** Set only when the approval token verified. */
  approvalId: string | null;
  /** `started`: a write about to reach the backend; its outcome follows in a later line. */
  outcome: 'started' | 'ok' | 'denied' | 'invalid' | 'failed';
  status: number;
  errorCode: string | null;
  /** Why an unauthenticated request was refused (signing contract), when it was. */
  reason?: string;
  durationMs: number;
  remote: string | null;
  /** Unauthenticated requests not written since the previous line about one (RELAY_AUDIT_UNAUTH_PER_MINUTE). */
  unauthenticatedNotLogged?: number;
}

export interface AuditSink {
  append(record: AuditRecord): Promise<void>;
  /** Proves the sink can be written (the relay refuses to start otherwise). */
  check?(): Promise<void>;
  /** Starts a new file at the same path (after rotation); optional for other sinks. */
  reopen?(): Promise<void>;
  close(): Promise<void>;
}

const MAX_PARAMS_BYTES = 16 * 1024;

/**
 * Keeps the parameters when they are small enough to read (capped in depth, string length and
 * items first); otherwise only their size.
 */
export function boundedParams(params: unknown): Pick<AuditRecord, 'params' | 'paramsBytes'> {
  const capped = capForAudit(params ?? null);
  const text = JSON.stringify(capped);
  return text.length <= MAX_PARAMS_BYTES ? { params: capped } : { paramsBytes: Buffer.byteLength(text) };
}

export interface FileAuditOptions {
  /** Rotate once the file reaches this size; 0 never rotates. */
  maxBytes?: number;
  /** Rotated files kept (<file>.1 … <file>.N). */
  keep?: number;
}

export class FileAuditLog implements AuditSink {
  private handle: Promise<FileHandle> | undefined;
  private pending: Array<{ line: string; done: () => void; fail: (e: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private size = 0;

  constructor(
    readonly file: string,
    private readonly rotation: FileAuditOptions = {},
  ) {}

  async check(): Promise<void> {
    const fh = await this.open();
    await fh.appendFile('');
    await fh.datasync();
  }

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
          const text = batch.map((b) => b.line).join('');
          await fh.appendFile(text);
          await fh.datasync();
          this.size += Buffer.byteLength(text);
          for (const b of batch) b.done();
          if (this.rotation.maxBytes && this.size >= this.rotation.maxBytes) await this.rotate();
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
      this.handle = (async () => {
        mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
        const fh = await open(this.file, 'a', 0o600);
        this.size = (await fh.stat()).size;
        return fh;
      })();
      this.handle.catch(() => (this.handle = undefined));
    }
    return this.handle;
  }

  /** <file> → <file>.1, <file>.1 → <file>.2, …; the one past `keep` is deleted. */
  private async rotate(): Promise<void> {
    const keep = Math.max(1, this.rotation.keep ?? 10);
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
    await rm(`${this.file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) await rename(`${this.file}.${i}`, `${this.file}.${i + 1}`).catch(() => undefined);
    await rename(this.file, `${this.file}.1`);
    this.size = 0;
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
