import type { BackendContext, RelayBackend } from '../../../backend.js';
import type { OperationName, OpParams, OpResult } from '../../../protocol.js';
import { RelayError } from '../../../protocol.js';
import { assertStillWanted } from '../../../deadline.js';
import { applyDelegation } from './apply-delegation.js';
import { checkTransport, dnToDomain, first, loadCa, DirectorySession, type DirectoryAccount, type DirectoryOptions } from './connection.js';
import { crossRefFilter } from './filters.js';
import { findComputers, resolveSids, toComputer } from './read-computers.js';
import { delegationOn, listDomainControllers, perDc } from './read-dcs.js';
import { readUser, spnOwners } from './read-principals.js';

export type { DirectoryOptions } from './connection.js';

// The relay's view of Active Directory over LDAP (ldapts): the `directory.*` operations.
// Reads bind as the least-privilege reader; the one write binds as the account holding the
// delegation right. Parameters arrive already validated by the protocol schemas, and every
// value reaches LDAP only as a filter-object value (filters.ts), never as filter text.

const OPS = ['directory.computers', 'directory.spn-owners', 'directory.user', 'directory.apply-delegation', 'dc.list', 'directory.replication'] as const;
type DirectoryOp = (typeof OPS)[number];

interface DomainInfo {
  root: string;
  fqdn: string;
  netbios: string | null;
}

export class DirectoryBackend implements RelayBackend {
  readonly name = 'directory';
  private readonly ca: Buffer | string | undefined;
  private netbios: Promise<string | null> | undefined;

  constructor(private readonly options: DirectoryOptions) {
    checkTransport(options);
    this.ca = loadCa(options);
  }

  supports(op: OperationName): boolean {
    return (OPS as readonly string[]).includes(op);
  }

  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    if (!this.supports(op)) throw new RelayError('NOT_FOUND', `operation ${op} is not served by the directory backend`);
    const write = op === 'directory.apply-delegation';
    return this.withSession(write ? (this.options.writer ?? this.options.reader) : this.options.reader, (session) =>
      this.dispatch(op as DirectoryOp, params as OpParams<DirectoryOp>, session, ctx),
    ) as Promise<OpResult<O>>;
  }

  private async dispatch(op: DirectoryOp, params: OpParams<DirectoryOp>, session: DirectorySession, ctx: BackendContext = {}): Promise<OpResult<DirectoryOp>> {
    const dse = await session.rootDse();
    const domain = await this.domain(session, dse.defaultNamingContext, dse.configurationNamingContext);
    const base = this.options.baseDn ?? domain.root;
    switch (op) {
      case 'directory.computers': {
        const p = params as OpParams<'directory.computers'>;
        const found = await findComputers(session, base, domain.fqdn, p.names);
        const names = await resolveSids(session, domain.root, found.records.flatMap((r) => r.rbcdSids));
        return {
          domain: { fqdn: domain.fqdn, netbios: domain.netbios },
          computers: found.records.map((r) => toComputer(r, names)),
          notFound: found.notFound,
          currentTime: dse.currentTime,
        };
      }
      // SPN owners and users are searched from the domain root: a duplicate SPN or a group
      // outside LDAP_BASE_DN still counts.
      case 'directory.spn-owners':
        return { owners: await spnOwners(session, domain.root, (params as OpParams<'directory.spn-owners'>).spns) };
      case 'directory.user':
        return { user: await readUser(session, domain.root, (params as OpParams<'directory.user'>).id) };
      case 'dc.list':
        return { dcs: await listDomainControllers(session, domain.root, dse.configurationNamingContext) };
      case 'directory.replication': {
        // Each DC's own copy, read over a session bound to that DC (the configured one for the DC
        // LDAP_URL reaches), all at once; only DCs that dc.list returns are contacted.
        const p = params as OpParams<'directory.replication'>;
        const dcs = await listDomainControllers(session, domain.root, dse.configurationNamingContext);
        const here = dse.dnsHostName?.toLowerCase();
        const read = (s: DirectorySession) => delegationOn(s, base, domain.root, domain.fqdn, p.computers);
        return {
          dcs: await perDc(dcs, p, (dc) => {
            if (!dc.dnsHostName) return Promise.reject(new RelayError('DIRECTORY_UNREACHABLE', `${dc.name} has no dNSHostName to connect to`));
            if (dc.dnsHostName.toLowerCase() === here) return read(session);
            const url = new URL(this.options.url);
            url.hostname = dc.dnsHostName;
            return this.withSession(this.options.reader, read, url.toString());
          }),
        };
      }
      case 'directory.apply-delegation':
        return applyDelegation({ session, base, domainRoot: domain.root, domainFqdn: domain.fqdn, stillWanted: () => assertStillWanted(ctx) }, params as OpParams<'directory.apply-delegation'>);
    }
  }

  /** The NetBIOS name never changes while we run: read it once, from the domain's crossRef. */
  private async domain(session: DirectorySession, root: string, configNc: string | null): Promise<DomainInfo> {
    if (!this.netbios) {
      this.netbios = configNc
        ? session
            .search('read the domain NetBIOS name', `CN=Partitions,${configNc}`, crossRefFilter(root), ['nETBIOSName'])
            .then((entries) => (entries[0] ? first(entries[0], 'nETBIOSName') : null))
        : Promise.resolve(null);
      this.netbios.catch(() => (this.netbios = undefined));
    }
    return { root, fqdn: dnToDomain(root), netbios: await this.netbios };
  }

  private async withSession<T>(account: DirectoryAccount, fn: (s: DirectorySession) => Promise<T>, url?: string): Promise<T> {
    const session = await DirectorySession.open(url ? { ...this.options, url } : this.options, account, this.ca);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    // Sessions are per call; nothing stays open.
  }
}
