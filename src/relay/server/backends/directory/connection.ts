import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Client, InvalidCredentialsError, ResultCodeError, type Entry, type Filter } from 'ldapts';
import { RelayError } from '../../../protocol.js';

// One LDAP session per relay operation: connect over LDAPS (or StartTLS), bind with the
// configured least-privilege account, run the operation, unbind. A fresh session per call keeps
// no half-broken connection or stale bind around and picks up a DC failover on the next call;
// the cost is one TLS handshake per operation, and the engine makes one call per check.

export interface DirectoryAccount {
  dn: string;
  password: string;
}

export interface DirectoryOptions {
  /** ldaps://dc01.contoso.com, or ldap://… with startTls (or allowPlain on a test DC). */
  url: string;
  /** The read account (an ordinary domain user). */
  reader: DirectoryAccount;
  /** The account that holds the right to write delegation (docs/domain.md "Risks"); the reader when unset. */
  writer?: DirectoryAccount;
  /** Search base for computers; RootDSE defaultNamingContext when unset. */
  baseDn?: string;
  startTls?: boolean;
  /** PEM of the CA that signed the DCs' certificates, or a path to it. */
  ca?: string | Buffer;
  caFile?: string;
  allowPlain?: boolean;
  timeoutMs?: number;
}

export const PAGE = { pageSize: 500 } as const;

/** Refuses, at start, a configuration that would send the bind password in clear. */
export function checkTransport(options: DirectoryOptions): void {
  const url = new URL(options.url);
  if (url.protocol === 'ldaps:') return;
  if (url.protocol !== 'ldap:') throw new Error(`LDAP_URL must start with ldaps:// or ldap:// (got ${url.protocol}//)`);
  if (options.startTls || options.allowPlain) return;
  throw new Error('LDAP_URL is plain ldap://: use ldaps://, or set LDAP_STARTTLS=true (LDAP_ALLOW_PLAIN=true only for a test DC on loopback)');
}

function host(options: DirectoryOptions): string {
  return new URL(options.url).host;
}

/** Maps a failure to reach or bind to the DC to DIRECTORY_UNREACHABLE with a message an operator can act on. */
function unreachable(options: DirectoryOptions, err: unknown): RelayError {
  if (err instanceof InvalidCredentialsError) {
    return new RelayError('DIRECTORY_UNREACHABLE', `the directory at ${host(options)} refused the relay's bind: check LDAP_BIND_DN and LDAP_BIND_PASSWORD`);
  }
  if (err instanceof ResultCodeError) {
    return new RelayError('DIRECTORY_UNREACHABLE', `the directory at ${host(options)} refused the relay's bind (${err.constructor.name}, LDAP code ${err.code})`);
  }
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test(code) || /certificate/i.test(String(e?.message))) {
    return new RelayError('DIRECTORY_UNREACHABLE', `the TLS certificate of ${host(options)} is not trusted (${code || 'verification failed'}): check LDAP_CA_FILE and that LDAP_URL names the DC as its certificate does`);
  }
  const why = code || (/timeout/i.test(String(e?.message)) ? 'timed out' : 'connection failed');
  return new RelayError('DIRECTORY_UNREACHABLE', `cannot reach the directory at ${host(options)} (${why})`);
}

/** Any other LDAP failure, without the server's diagnostic text (it can quote DNs and values). */
export function backendError(what: string, err: unknown): RelayError {
  if (err instanceof RelayError) return err;
  if (err instanceof ResultCodeError) {
    return new RelayError('BACKEND_ERROR', `the directory refused to ${what} (${err.constructor.name}, LDAP code ${err.code})`);
  }
  return new RelayError('BACKEND_ERROR', `the directory failed to ${what}`);
}

export function loadCa(options: DirectoryOptions): Buffer | string | undefined {
  if (options.ca) return options.ca;
  if (options.caFile) return readFileSync(options.caFile);
  return undefined;
}

/** A bound session; `close()` always unbinds. */
export class DirectorySession {
  private constructor(
    readonly client: Client,
    private readonly options: DirectoryOptions,
  ) {}

  static async open(options: DirectoryOptions, account: DirectoryAccount, ca: Buffer | string | undefined): Promise<DirectorySession> {
    const hostname = new URL(options.url).hostname;
    // SNI carries DNS names only; an IP in LDAP_URL is still checked against the certificate's IP SANs.
    const tlsOptions = { ca, minVersion: 'TLSv1.2' as const, ...(isIP(hostname) ? {} : { servername: hostname }) };
    const ldaps = options.url.startsWith('ldaps:');
    // ldapts treats any tlsOptions as "connect with TLS at once", so give them only to ldaps://.
    const client = new Client({ url: options.url, ...(ldaps ? { tlsOptions } : {}), timeout: options.timeoutMs ?? 15_000, connectTimeout: 5_000 });
    try {
      // ldapts hands startTLS options to tls.connect on the open socket; without `host` Node
      // would check the certificate against "localhost".
      if (!ldaps && options.startTls) await client.startTLS({ ...tlsOptions, host: hostname });
      await client.bind(account.dn, account.password);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw unreachable(options, err);
    }
    return new DirectorySession(client, options);
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }

  /** A paged subtree search; `what` names the operation in error messages. */
  async search(what: string, base: string, filter: Filter, attributes: string[], buffers: string[] = []): Promise<Entry[]> {
    try {
      const { searchEntries } = await this.client.search(base, { scope: 'sub', filter, attributes, explicitBufferAttributes: buffers, paged: PAGE });
      return searchEntries;
    } catch (err) {
      throw this.failure(what, err);
    }
  }

  async rootDse(): Promise<RootDse> {
    try {
      const { searchEntries } = await this.client.search('', {
        scope: 'base',
        attributes: ['defaultNamingContext', 'configurationNamingContext', 'dnsHostName', 'currentTime'],
      });
      const e = searchEntries[0];
      const dnc = e ? first(e, 'defaultNamingContext') : null;
      if (!e || !dnc) throw new RelayError('BACKEND_ERROR', 'the directory did not report its defaultNamingContext');
      return { defaultNamingContext: dnc, configurationNamingContext: first(e, 'configurationNamingContext'), dnsHostName: first(e, 'dnsHostName'), currentTime: generalizedTime(first(e, 'currentTime')) };
    } catch (err) {
      throw this.failure('read the RootDSE', err);
    }
  }

  /** A connection lost mid-operation is "unreachable"; an LDAP result code is a backend error. */
  failure(what: string, err: unknown): RelayError {
    if (err instanceof RelayError || err instanceof ResultCodeError) return backendError(what, err);
    return unreachable(this.options, err);
  }
}

export interface RootDse {
  defaultNamingContext: string;
  configurationNamingContext: string | null;
  dnsHostName: string | null;
  /** ISO 8601 UTC. */
  currentTime: string | null;
}

/** Multi-valued attributes come back as a string when there is one value: always an array. */
export function all(entry: Entry, attribute: string): string[] {
  const v = entry[attribute];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
}

export function first(entry: Entry, attribute: string): string | null {
  return all(entry, attribute)[0] ?? null;
}

export function buffer(entry: Entry, attribute: string): Buffer | null {
  const v = entry[attribute];
  const b = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(b) ? b : null;
}

export function int(entry: Entry, attribute: string): number | null {
  const v = first(entry, attribute);
  if (v === null || !/^-?\d+$/.test(v)) return null;
  // userAccountControl and friends are 32-bit; AD may print them signed.
  return Number(v) >>> 0;
}

/** `20261125215411.0Z` → `2026-11-25T21:54:11.000Z`. */
export function generalizedTime(value: string | null): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(value) : null;
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms)).toISOString();
}

/** `DC=contoso,DC=com` → `contoso.com`. */
export function dnToDomain(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.trim())
    .filter((rdn) => /^dc=/i.test(rdn))
    .map((rdn) => rdn.slice(3))
    .join('.')
    .toLowerCase();
}
