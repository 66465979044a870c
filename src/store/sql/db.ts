// The little the shared SQL needs from a database driver. Statements are written once, with
// PostgreSQL-style `$1` placeholders; the SQLite driver rewrites them. Both dialects accept the
// same SQL for everything the store does (RETURNING, ON CONFLICT, IN lists).

export type SqlValue = string | number | boolean | null | Date;

export interface Queryable {
  /** Runs one statement; `rows` holds what RETURNING or SELECT produced. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<{ rows: Row[]; rowCount: number }>;
}

export interface Db extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one write transaction: all its statements commit together or none does. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `$1, $2, ...` for an IN list starting at placeholder `first`. */
export function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}
