import { inject } from 'vitest';
import { DirectoryBackend, type DirectoryOptions } from '../../src/relay/server/backends/directory/directory-backend.js';
import { InProcessRelayClient } from '../../src/relay/in-process-client.js';
import type { SambaConnection } from './samba.js';

// For test files: the DC the global setup started, and a relay client over the real directory
// backend bound to it (reads as the least-privilege reader, writes as the delegation writer).
//
//   const samba = useSamba();                       // in beforeAll
//   await createComputer(samba, 'HV31', { spns: [...] });   // samba.ts / samba-tool.ts helpers
//   const relay = directoryClient(samba);           // or sambaRelayEnv(samba) for triage-relay
//
// One DC serves every file of the run, in parallel: each file uses computer, user and group
// names of its own (directory tests own HV01–HV19, alice, bob, dave, erin, lm-*).

export function useSamba(): SambaConnection {
  const samba = inject('samba');
  if (!samba) throw new Error('no Samba DC in this run: the global setup starts one only when test/integration or test/e2e files are selected (or TRIAGE_TEST_SERVICES=all)');
  return samba;
}

export function directoryOptions(samba: SambaConnection, overrides: Partial<DirectoryOptions> = {}): DirectoryOptions {
  return {
    url: samba.url,
    caFile: samba.caFile,
    reader: { dn: samba.reader.dn, password: samba.reader.password },
    writer: { dn: samba.writer.dn, password: samba.writer.password },
    ...overrides,
  };
}

export function directoryClient(samba: SambaConnection, overrides: Partial<DirectoryOptions> = {}): InProcessRelayClient {
  return new InProcessRelayClient(new DirectoryBackend(directoryOptions(samba, overrides)), `directory: ${samba.url}`);
}

/** Approval tokens are checked by the relay server, not the backend: any well-formed one will do here. */
export const TEST_APPROVAL = `${Buffer.from('{"test":true}').toString('base64url')}.${'0'.repeat(64)}`;

/** The settings that point a `triage-relay` process (RELAY_BACKEND=windows) at this DC. */
export function sambaRelayEnv(samba: SambaConnection): Record<string, string> {
  return {
    LDAP_URL: samba.url,
    LDAP_CA_FILE: samba.caFile,
    LDAP_BIND_DN: samba.reader.dn,
    LDAP_BIND_PASSWORD: samba.reader.password,
    LDAP_WRITE_BIND_DN: samba.writer.dn,
    LDAP_WRITE_BIND_PASSWORD: samba.writer.password,
  };
}
