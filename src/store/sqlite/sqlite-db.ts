import Database from 'better-sqlite3';
import type { Db, Queryable, SqlValue } from '../sql/db.js';
import { StoreError } from '../store-error.js';

// better-sqlite3 is synchronous and one connection serves the whole process, so every
// statement and transaction here runs one at a time (a promise-chain lock): an async
// transaction must never see another caller's statement land inside it. Across processes,
// SQLite's own file locks and busy_timeout serialise writers; transactions start with
// BEGIN IMMEDIATE so two writers never deadlock upgrading a read lock.

interface Prepared {
  stmt: Database.Statement;
  /** Index into the caller's params for each `?`, in order. */
  order: number[];
}

export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly prepared = new Map<string, Prepared>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly raw: Database.Database) {}

  static open(filename: string, busyTimeoutMs = SQLITE_BUSY_TIMEOUT_MS): SqliteDb {
    const raw = new Database(filename);
    // busy_timeout first: switching to WAL takes a lock another process may hold.
    raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (filename !== ':memory:') raw.pragma('journal_mode = WAL');
    // FULL: a committed approval or audit event survives a power cut, not only a crash.
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
    return new SqliteDb(raw);
  }

  query<Row = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    return this.exclusive(() => guard(() => this.run<Row>(sql, params)));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      guard(() => this.raw.exec('BEGIN IMMEDIATE'));
      try {
        const result = await fn({ query: async (sql, params) => this.run(sql, params ?? []) });
        this.raw.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw busyToStoreError(err);
      }
    });
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.raw.open) this.raw.close();
  }

  private exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private run<Row>(sql: string, params: readonly SqlValue[]): { rows: Row[]; rowCount: number } {
    const { stmt, order } = this.prepare(sql);
    const values = order.map((i) => bindable(params[i]));
    if (stmt.reader) {
      const rows = stmt.all(...values) as Row[];
      return { rows, rowCount: rows.length };
    }
    return { rows: [], rowCount: stmt.run(...values).changes };
  }

  private prepare(sql: string): Prepared {
    let p = this.prepared.get(sql);
    if (!p) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      p = { stmt: this.raw.prepare(text), order };
      this.prepared.set(sql, p);
    }
    return p;
  }
}

/** SQLite binds no booleans or Dates: store them as 0/1 and ISO-8601 text. */
function bindable(v: SqlValue | undefined): string | number | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw busyToStoreError(err);
  }
}

/** Another process held the write lock past busy_timeout: say so in one line. */
function busyToStoreError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new StoreError('STORE_UNAVAILABLE', 'The SQLite store stayed locked by another process; run one bot per SQLite file, or use PostgreSQL for several replicas.', { cause: err });
  }
  return err;
}
