import type { z } from 'zod';
import { StoreError } from '../store-error.js';

// Column decoding shared by both dialects. PostgreSQL returns Dates, parsed JSON (jsonb) and
// bigint as strings; SQLite returns ISO text, JSON text and numbers. These helpers accept both.

export type Row = Record<string, unknown>;

export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') return new Date(v);
  throw new StoreError('STORE_CORRUPT_ROW', `Expected a timestamp in the store, found ${typeof v}.`);
}

export function toDateOrNull(v: unknown): Date | null {
  return v === null || v === undefined ? null : toDate(v);
}

export function toStringOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** JSON columns: jsonb arrives parsed (PostgreSQL), text arrives as a string (SQLite). */
export function fromJson(dialect: 'sqlite' | 'postgres', v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return dialect === 'postgres' ? v : JSON.parse(String(v));
}

export function toJson(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

export function parseWith<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new StoreError('STORE_CORRUPT_ROW', `The stored ${what} is not valid: ${r.error.issues[0]?.message ?? 'unknown problem'}.`);
  return r.data;
}
