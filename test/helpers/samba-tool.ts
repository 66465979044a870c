import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';
import { withSbin } from './samba-install.js';
import type { SambaConnection } from './samba.js';

// What tests use to arrange the directory underneath the code under test: `samba-tool` run
// directly against the running DC's sam.ldb (the administrator's tool, so a test can say "an
// admin changed this"), plus an administrator LDAP connection for the few attributes
// samba-tool cannot set (dNSHostName, encryption types, a duplicate SPN).

const run = promisify(execFile);

export async function sambaTool(conn: SambaConnection, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('samba-tool', [...args, '-H', conn.samLdb, '-s', conn.configFile], { env: withSbin() });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`samba-tool ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export async function withAdmin<T>(conn: SambaConnection, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: conn.url, tlsOptions: { ca: readFileSync(conn.caFile) }, timeout: 10_000 });
  try {
    await client.bind(conn.admin.dn, conn.admin.password);
    return await fn(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export async function replaceAttribute(conn: SambaConnection, dn: string, type: string, values: string[] | Buffer[]): Promise<void> {
  await withAdmin(conn, (c) => c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values }) })));
}

export function computerDn(conn: SambaConnection, name: string): string {
  return `CN=${name},CN=Computers,${conn.baseDn}`;
}

export interface ComputerSpec {
  /** Defaults to `<name lower-case>.<dns domain>`; null leaves dNSHostName unset. */
  dnsHostName?: string | null;
  spns?: string[];
  /** Defaults to 0x1000 (an enabled workstation trust account, as a joined Hyper-V host has). */
  userAccountControl?: number;
  supportedEncryptionTypes?: number;
}

/** Creates a computer object the way `samba-tool computer create` does, then shapes it. */
export async function createComputer(conn: SambaConnection, name: string, spec: ComputerSpec = {}): Promise<string> {
  await sambaTool(conn, 'computer', 'create', name, ...(spec.spns ?? []).map((s) => `--service-principal-name=${s}`));
  const dn = computerDn(conn, name);
  const dnsHostName = spec.dnsHostName === undefined ? `${name.toLowerCase()}.${conn.dnsDomain}` : spec.dnsHostName;
  const changes: Change[] = [
    new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(spec.userAccountControl ?? 0x1000)] }) }),
  ];
  if (dnsHostName) changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'dNSHostName', values: [dnsHostName] }) }));
  if (spec.supportedEncryptionTypes !== undefined) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'msDS-SupportedEncryptionTypes', values: [String(spec.supportedEncryptionTypes)] }) }));
  }
  await withAdmin(conn, (c) => c.modify(dn, changes));
  return dn;
}

/** `samba-tool spn add`: refuses an SPN another account holds (see addDuplicateSpn for that). */
export async function addSpn(conn: SambaConnection, computer: string, spn: string): Promise<void> {
  await sambaTool(conn, 'spn', 'add', spn, `${computer}$`);
}

export async function deleteComputer(conn: SambaConnection, name: string): Promise<void> {
  await sambaTool(conn, 'computer', 'delete', name).catch(() => undefined);
}

export const delegation = {
  addService: (conn: SambaConnection, computer: string, spn: string) => sambaTool(conn, 'delegation', 'add-service', `${computer}$`, spn),
  delService: (conn: SambaConnection, computer: string, spn: string) => sambaTool(conn, 'delegation', 'del-service', `${computer}$`, spn),
  forAnyProtocol: (conn: SambaConnection, computer: string, on: boolean) =>
    sambaTool(conn, 'delegation', 'for-any-protocol', `${computer}$`, on ? 'on' : 'off'),
  forAnyService: (conn: SambaConnection, computer: string, on: boolean) =>
    sambaTool(conn, 'delegation', 'for-any-service', `${computer}$`, on ? 'on' : 'off'),
  addPrincipal: (conn: SambaConnection, computer: string, principal: string) =>
    sambaTool(conn, 'delegation', 'add-principal', `${computer}$`, principal),
  show: async (conn: SambaConnection, account: string) => parseDelegationShow(await sambaTool(conn, 'delegation', 'show', account)),
};

export interface DelegationShow {
  dn: string;
  trustedForDelegation: boolean;
  trustedToAuthForDelegation: boolean;
  allowedToDelegateTo: string[];
  /** DNs of the principals msDS-AllowedToActOnBehalfOfOtherIdentity lets delegate to this account. */
  allowedToActOnBehalfOf: string[];
}

/** Parses `samba-tool delegation show` (Samba 4.17 wording). */
export function parseDelegationShow(out: string): DelegationShow {
  const value = (key: string): string[] =>
    out.split('\n').filter((l) => l.startsWith(`${key}: `)).map((l) => l.slice(key.length + 2).trim());
  const flag = (key: string): boolean => {
    const v = value(key)[0];
    if (v !== 'True' && v !== 'False') throw new Error(`unexpected samba-tool delegation show output (no ${key}):\n${out}`);
    return v === 'True';
  };
  const dn = value('Account-DN')[0];
  if (!dn) throw new Error(`unexpected samba-tool delegation show output:\n${out}`);
  return {
    dn,
    trustedForDelegation: flag('UF_TRUSTED_FOR_DELEGATION'),
    trustedToAuthForDelegation: flag('UF_TRUSTED_TO_AUTHENTICATE_FOR_DELEGATION'),
    allowedToDelegateTo: value('msDS-AllowedToDelegateTo'),
    allowedToActOnBehalfOf: value('msDS-AllowedToActOnBehalfOfOtherIdentity'),
  };
}

export async function createUser(conn: SambaConnection, name: string, opts: { upn?: string; mail?: string } = {}): Promise<string> {
  const args = ['user', 'create', name, `Us3r!${name}-${Date.now()}`];
  if (opts.mail) args.push(`--mail-address=${opts.mail}`);
  await sambaTool(conn, ...args);
  const dn = `CN=${name},CN=Users,${conn.baseDn}`;
  if (opts.upn) await replaceAttribute(conn, dn, 'userPrincipalName', [opts.upn]);
  return dn;
}

export async function createGroup(conn: SambaConnection, name: string): Promise<string> {
  await sambaTool(conn, 'group', 'add', name);
  return `CN=${name},CN=Users,${conn.baseDn}`;
}

export async function addGroupMembers(conn: SambaConnection, group: string, ...members: string[]): Promise<void> {
  await sambaTool(conn, 'group', 'addmembers', group, members.join(','));
}

export async function setSensitive(conn: SambaConnection, account: string, on: boolean): Promise<void> {
  await sambaTool(conn, 'user', 'sensitive', account, on ? 'on' : 'off');
}

const SYSTEM_MODIFY = `
import sys
from samba.samdb import SamDB
from samba.param import LoadParm
from samba.auth import system_session
lp = LoadParm(); lp.load(sys.argv[1])
SamDB(url=sys.argv[2], session_info=system_session(), lp=lp).modify_ldif(sys.stdin.read())
`;

/**
 * Applies an LDIF modify as the DC itself (system session on sam.ldb), past the checks an LDAP
 * client faces. Samba 4.17 only lets "system" write msDS-AllowedToActOnBehalfOfOtherIdentity,
 * so this is how a test puts a descriptor of its own making there.
 */
export async function modifyAsSystem(conn: SambaConnection, ldif: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', SYSTEM_MODIFY, conn.configFile, conn.samLdb], { env: withSbin() }, (err, _out, stderr) =>
      err ? reject(new Error(`system modify failed: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(ldif);
  });
}

export async function setRbcdDescriptorAsSystem(conn: SambaConnection, dn: string, descriptor: Buffer): Promise<void> {
  await modifyAsSystem(conn, `dn: ${dn}\nchangetype: modify\nreplace: msDS-AllowedToActOnBehalfOfOtherIdentity\nmsDS-AllowedToActOnBehalfOfOtherIdentity:: ${descriptor.toString('base64')}\n`);
}

/**
 * Puts an SPN on an object even though another already has it. Samba, like Windows Server 2012 R2
 * and later DCs, refuses duplicate SPNs at every entry point; real domains still carry them from
 * older DCs and restores. So we write straight into the domain partition's database file,
 * beneath the DSDB modules (the running DC reads the same file).
 */
export async function addDuplicateSpn(conn: SambaConnection, dn: string, spn: string): Promise<void> {
  const partition = `${conn.samLdb}.d/${conn.baseDn.toUpperCase()}.ldb`;
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ldbmodify', ['-H', `tdb://${partition}`], { env: withSbin() }, (err, _out, stderr) =>
      err ? reject(new Error(`raw SPN write failed: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(`dn: ${dn}\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: ${spn}\n`);
  });
}

export async function sambaVersionAtLeast(major: number, minor: number): Promise<boolean> {
  const { stdout } = await run('samba', ['--version'], { env: withSbin() });
  const m = /(\d+)\.(\d+)/.exec(stdout);
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}
