import pg from 'pg';
import type { Db, Queryable, SqlValue } from '../sql/db.js';
import { StoreError } from '../store-error.js';

// A pg Pool: replicas each hold a few connections; PostgreSQL's row locks and unique keys do
// the coordination (see docs/store.md), so nothing here needs a lock of its own.
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;

  constructor(readonly pool: pg.Pool) {}

  async query<Row = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    try {
      const r = await this.pool.query(sql, params as SqlValue[]);
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw translate(err);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw translate(err);
    });
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async <Row>(sql: string, params: readonly SqlValue[] = []) => {
          const r = await client.query(sql, params as SqlValue[]);
          return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A failed ROLLBACK means the connection is unusable: hand it back as broken.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw translate(err);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// Connection failures (server down, restarting, network) become one user-safe StoreError;
// SQL errors pass through unchanged, they are bugs.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);

export function translate(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || /Connection terminated|connection timeout/i.test(message)) {
    return new StoreError('STORE_UNAVAILABLE', `The store (PostgreSQL) is unavailable: ${message.split('\n')[0]}.`, { cause: err });
  }
  return err;
}
