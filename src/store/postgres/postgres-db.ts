import pg from 'pg';
import type { Db, Queryable, SqlValue } from '../sql/db.js';

// A pg Pool: replicas each hold a few connections; PostgreSQL's row locks and unique keys do
// the coordination (see docs/store.md), so nothing here needs a lock of its own.
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;

  constructor(readonly pool: pg.Pool) {}

  async query<Row = Record<string, unknown>>(sql: string, params: readonly SqlValue[] = []): Promise<{ rows: Row[]; rowCount: number }> {
    const r = await this.pool.query(sql, params as SqlValue[]);
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
