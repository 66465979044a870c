import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../store-error.js';

// Migrations are plain SQL files, one folder per dialect, named `<version>-<name>.sql`.
// A released file never changes: a schema change is a new file with the next version.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3,})-([a-z0-9-]+)\.sql$/;

export function loadMigrations(dialect: 'sqlite' | 'postgres'): Migration[] {
  const dir = fileURLToPath(new URL(`./${dialect}/`, import.meta.url));
  const migrations = readdirSync(dir)
    .map((file) => ({ file, m: FILE.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => ({ version: Number(m[1]), name: m[2] ?? file, sql: readFileSync(`${dir}${file}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length) throw new Error(`Two ${dialect} migrations share a version number in ${dir}.`);
  return migrations;
}

/** A database migrated by a newer release must not be written by an older one. */
export function refuseUnknownVersions(applied: Set<number>, migrations: Migration[]): void {
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new StoreError('STORE_MIGRATION_FAILED', `The database has schema version ${Math.max(...unknown)}, newer than this release knows; upgrade triage-bot.`);
  }
}
