import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { ensureSambaInstalled, requireRoot, withSbin } from './samba-install.js';

export * from './samba-tool.js';

// A throwaway Samba AD DC for the integration tests: one per `npm test` run, on a loopback
// address nothing else uses, serving only LDAP/LDAPS (no DNS, SMB, NetBIOS, winbind or KDC:
// the relay binds with a simple bind over TLS). Provisioning takes ~7 s, so it is done once per
// machine and Samba version into a template directory, which each run copies (~0.2 s).

const run = promisify(execFile);

/** Bump when the template's contents change (accounts, options), so old caches are not reused. */
const TEMPLATE_LAYOUT = 'v1';

export const REALM = 'LAB.TEST';
export const DNS_DOMAIN = 'lab.test';
export const NETBIOS_DOMAIN = 'LAB';
export const BASE_DN = 'DC=lab,DC=test';

export interface SambaAccount {
  /** sAMAccountName. */
  name: string;
  dn: string;
  password: string;
}

/** Everything a test needs to reach the DC; plain data so vitest can `provide` it. */
export interface SambaConnection {
  url: string;
  host: string;
  caFile: string;
  baseDn: string;
  realm: string;
  dnsDomain: string;
  netbiosDomain: string;
  /** Ordinary domain user: what the relay binds as for reads. */
  reader: SambaAccount;
  /** Member of Domain Admins: holds the right to write delegation (docs/domain.md "Risks"). */
  writer: SambaAccount;
  admin: SambaAccount;
  configFile: string;
  samLdb: string;
  dir: string;
}

interface TemplateMeta {
  /** Where it was provisioned: smb.conf names this path, and each run rewrites it to its own. */
  templateDir: string;
  reader: SambaAccount;
  writer: SambaAccount;
  admin: SambaAccount;
}

export interface RunningSamba {
  connection: SambaConnection;
  stop(): Promise<void>;
}

function password(): string {
  return `Tr1!${randomBytes(12).toString('hex')}`;
}

async function sambaVersion(): Promise<string> {
  const { stdout } = await run('samba', ['--version'], { env: withSbin() });
  return stdout.trim().replace(/^Version\s+/i, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

async function provisionTemplate(finalDir: string): Promise<void> {
  const work = await mkdtemp(`${finalDir}-building-`);
  const admin: SambaAccount = { name: 'Administrator', dn: `CN=Administrator,CN=Users,${BASE_DN}`, password: password() };
  await run('samba-tool', [
    'domain', 'provision', `--realm=${REALM}`, `--domain=${NETBIOS_DOMAIN}`, '--server-role=dc', '--dns-backend=NONE',
    '--host-name=dc1', `--adminpass=${admin.password}`, `--targetdir=${work}`,
    '--option=interfaces=127.0.0.1/8', '--option=bind interfaces only=yes',
  ], { env: withSbin(), maxBuffer: 64 * 1024 * 1024 });
  const opts = ['-H', path.join(work, 'private', 'sam.ldb'), '-s', path.join(work, 'etc', 'smb.conf')];
  const reader: SambaAccount = { name: 'svc-triage-relay', dn: `CN=svc-triage-relay,CN=Users,${BASE_DN}`, password: password() };
  const writer: SambaAccount = { name: 'svc-triage-writer', dn: `CN=svc-triage-writer,CN=Users,${BASE_DN}`, password: password() };
  for (const account of [reader, writer]) {
    await run('samba-tool', ['user', 'create', account.name, account.password, ...opts], { env: withSbin() });
  }
  await run('samba-tool', ['group', 'addmembers', 'Domain Admins', writer.name, ...opts], { env: withSbin() });
  const meta: TemplateMeta = { templateDir: work, reader, writer, admin };
  await writeFile(path.join(work, 'triage-template.json'), JSON.stringify(meta), { mode: 0o600 });
  try {
    await rename(work, finalDir);
  } catch {
    // Another run built the same template at the same time: use theirs.
    await rm(work, { recursive: true, force: true });
  }
}

/** The provisioned template for this Samba version, built on first use. */
async function template(): Promise<{ dir: string; meta: TemplateMeta }> {
  const dir = path.join(os.tmpdir(), `triage-samba-template-${await sambaVersion()}-${TEMPLATE_LAYOUT}`);
  const metaFile = path.join(dir, 'triage-template.json');
  if (!existsSync(metaFile)) {
    const started = Date.now();
    await provisionTemplate(dir);
    console.error(`[samba] provisioned template ${dir} in ${Date.now() - started} ms`);
  }
  return { dir, meta: JSON.parse(await readFile(metaFile, 'utf8')) as TemplateMeta };
}

async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A loopback address (127.x.y.z, Linux routes all of 127/8 to lo) with LDAP ports free. */
async function pickLoopbackAddress(): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const host = `127.${randomInt(100, 250)}.${randomInt(0, 255)}.${randomInt(2, 250)}`;
    const ports = await Promise.all([389, 636, 3268, 3269].map((p) => portFree(host, p)));
    if (ports.every(Boolean)) return host;
  }
  throw new Error('no free loopback address for the test Samba DC');
}

/** A CA and a server certificate naming the loopback address, so clients verify TLS fully. */
async function makeCertificates(tlsDir: string, host: string): Promise<string> {
  await mkdir(tlsDir, { recursive: true });
  const f = (name: string): string => path.join(tlsDir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '3', '-subj', '/CN=triage test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', f('key.pem'), '-out', f('server.csr'), '-subj', `/CN=dc1.${DNS_DOMAIN}`]);
  await writeFile(f('ext.cnf'), `subjectAltName=IP:${host},DNS:dc1.${DNS_DOMAIN}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('cert.pem'), '-days', '3', '-extfile', f('ext.cnf')]);
  await chmod(f('key.pem'), 0o600); // Samba refuses a private key others can read
  return f('ca.pem');
}

function configure(conf: string, templateDir: string, dir: string, host: string): string {
  const globals: Record<string, string> = {
    interfaces: `${host}/8`,
    'bind interfaces only': 'yes',
    'server services': 'ldap',
    // A throwaway DC need not fsync: without this every samba-tool write waits ~0.5 s on disk.
    'ldb:nosync': 'true',
    'log file': path.join(dir, 'log.%m'),
    // Keep every runtime file inside the run directory: the defaults (/run/samba, …) are shared
    // with any other Samba on the machine, including a parallel test run.
    'pid directory': path.join(dir, 'run'),
    'ncalrpc dir': path.join(dir, 'run', 'ncalrpc'),
    'winbindd socket directory': path.join(dir, 'run', 'winbindd'),
    'ntp signd socket directory': path.join(dir, 'run', 'ntp_signd'),
    'tls enabled': 'yes',
    'tls keyfile': path.join(dir, 'tls', 'key.pem'),
    'tls certfile': path.join(dir, 'tls', 'cert.pem'),
    'tls cafile': path.join(dir, 'tls', 'ca.pem'),
  };
  const lines = conf.split(templateDir).join(dir).split('\n')
    .filter((line) => !Object.keys(globals).includes(line.split('=')[0]!.trim().toLowerCase()));
  const at = lines.findIndex((l) => l.trim() === '[global]');
  lines.splice(at + 1, 0, ...Object.entries(globals).map(([k, v]) => `\t${k} = ${v}`));
  return lines.join('\n');
}

async function waitForLdaps(connection: SambaConnection, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const ca = await readFile(connection.caFile);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`samba exited with ${child.exitCode} before LDAPS answered:\n${output()}`);
    const client = new Client({ url: connection.url, connectTimeout: 1000, timeout: 2000, tlsOptions: { ca } });
    try {
      await client.bind(connection.reader.dn, connection.reader.password);
      await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`samba did not answer LDAPS on ${connection.url} within 60 s: ${String(err)}\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

/** Run directories of test processes that were killed (their DC died with them) and are old. */
async function removeStaleRuns(): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(os.tmpdir())) {
    if (!/^triage-samba-(?!template-)[A-Za-z0-9]{6}$/.test(name)) continue;
    const dir = path.join(os.tmpdir(), name);
    const info = await stat(dir).catch(() => null);
    if (info && info.mtimeMs < dayAgo) await rm(dir, { recursive: true, force: true });
  }
}

/** Provisions (or copies) a DC, starts it and waits until LDAPS answers a bind. */
export async function startSamba(): Promise<RunningSamba> {
  ensureSambaInstalled();
  requireRoot();
  const started = Date.now();
  const { dir: templateDir, meta } = await template();
  await removeStaleRuns();
  const host = await pickLoopbackAddress();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'triage-samba-'));
  await cp(templateDir, dir, { recursive: true });
  await mkdir(path.join(dir, 'run'), { recursive: true });
  const configFile = path.join(dir, 'etc', 'smb.conf');
  await writeFile(configFile, configure(await readFile(configFile, 'utf8'), meta.templateDir, dir, host));
  const caFile = await makeCertificates(path.join(dir, 'tls'), host);
  const connection: SambaConnection = {
    url: `ldaps://${host}:636`, host, caFile, baseDn: BASE_DN, realm: REALM, dnsDomain: DNS_DOMAIN, netbiosDomain: NETBIOS_DOMAIN,
    reader: meta.reader, writer: meta.writer, admin: meta.admin, configFile, samLdb: path.join(dir, 'private', 'sam.ldb'), dir,
  };
  let log = '';
  // stdin stays an open pipe: `samba -i` exits on EOF, so the DC dies with this process even
  // when it is killed without running the teardown.
  const child = spawn('samba', ['-i', '-M', 'single', '-s', configFile], { env: withSbin(), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const keep = (chunk: Buffer): void => { log = (log + chunk.toString()).slice(-8000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const kill = (signal: NodeJS.Signals): void => {
    if (child.pid !== undefined && child.exitCode === null) {
      try { process.kill(-child.pid, signal); } catch { /* already gone */ }
    }
  };
  // If the test process dies without teardown, do not leave a DC behind.
  const onExit = (): void => kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForLdaps(connection, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  console.error(`[samba] AD DC ${REALM} up on ${connection.url} in ${Date.now() - started} ms`);
  return { connection, stop };
}
