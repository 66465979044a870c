import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// PostgreSQL for the integration tests: the server at TEST_POSTGRES_URL, by default Debian's
// cluster on 127.0.0.1:5432 with the test role that scripts/ci/postgres-up.sh creates. When
// nothing answers there, the setup runs that script (as root: it installs `postgresql` if
// needed and starts it), as .ci/run does; without root it falls back to a throwaway cluster in a
// temp dir on a free port. Each test file asks for its own database (`triage_test_<random>`) and
// drops it when done. Tests that must stop and restart a server use startThrowawayCluster().

export interface PgServer {
  /** Connection URL of a database on this server (default: the maintenance db `postgres`). */
  url(database?: string): string;
  /** True when this helper started the server (and stop() removes it). */
  throwaway: boolean;
  stop(): Promise<void>;
  /** Throwaway clusters only: stop the server keeping its data, and start it again. */
  halt?(): void;
  resume?(): void;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const DEFAULT_URL = 'postgres://triage_test:triage_test@127.0.0.1:5432/postgres';
const POSTGRES_UP = fileURLToPath(new URL('../../scripts/ci/postgres-up.sh', import.meta.url));

export async function ensurePostgres(): Promise<PgServer> {
  const configured = process.env.TEST_POSTGRES_URL ?? DEFAULT_URL;
  const shared = { url: (db = 'postgres') => withDatabase(configured, db), throwaway: false, stop: async () => undefined };
  if (await reachable(configured)) return shared;
  if (!process.env.TEST_POSTGRES_URL && process.getuid?.() === 0) {
    execFileSync('bash', [POSTGRES_UP], { stdio: 'pipe' });
    if (await reachable(configured)) return shared;
  }
  return startThrowawayCluster();
}

export async function createTestDatabase(server: PgServer): Promise<TestDatabase> {
  const name = `triage_test_${randomBytes(6).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  return {
    name,
    url: server.url(name),
    drop: () => admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(server: PgServer, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: server.url() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function startThrowawayCluster(): Promise<PgServer> {
  const bin = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'triage-pg-'));
  const data = join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: run the server as the `postgres` system user then.
  if (asRoot) chownSync(root, uid('postgres'), gid('postgres'));
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const start = () => run('pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-w', '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  start();
  const base = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url: (db = 'postgres') => withDatabase(base, db),
    throwaway: true,
    halt: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    resume: start,
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/** Newest Debian PostgreSQL; installs the package when running as root, else says how. */
function postgresBinDir(): string {
  const find = () => {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(base, versions[0], 'bin') : undefined;
  };
  let dir = find();
  if (!dir && process.getuid?.() === 0) {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    dir = find();
  }
  if (!dir) throw new Error('No PostgreSQL reachable and none installed: run `sudo apt-get install -y postgresql` (or set TEST_POSTGRES_URL).');
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
