import { shortName } from '../kernel/node-name.js';
import type { Vm } from '../relay/protocol.js';

// Where SMB is in play for a node (docs/domain.md "cifs and SMB"): live migration over SMB
// (VirtualMachineMigrationPerformanceOption = SMB) and VMs whose files live on SMB shares
// (`\\server\share\...`, e.g. a Scale-Out File Server). Both need the node to delegate to cifs:
// cifs/<destination> for the first, cifs/<file server> (short and FQDN) for the second.

export interface SmbServer {
  short: string;
  fqdn: string;
  /** The VMs whose storage is on this server. */
  vms: string[];
}

const UNC = /^\\\\([A-Za-z0-9][A-Za-z0-9.-]*)\\/;

/** The file servers a node's VMs keep their storage on, each once, with both name forms. */
export function smbServersOf(vms: Vm[] | undefined, domainFqdn: string | undefined): SmbServer[] {
  const byShort = new Map<string, SmbServer>();
  for (const vm of vms ?? []) {
    for (const path of vm.storagePaths ?? []) {
      const host = UNC.exec(path)?.[1]?.replace(/\.$/, '');
      if (!host) continue;
      const short = shortName(host);
      const fqdn = host.includes('.') ? host.toLowerCase() : domainFqdn ? `${host.toLowerCase()}.${domainFqdn}` : host.toLowerCase();
      const server = byShort.get(short) ?? { short, fqdn, vms: [] };
      if (host.includes('.')) server.fqdn = host.toLowerCase();
      if (!server.vms.includes(vm.name)) server.vms.push(vm.name);
      byShort.set(short, server);
    }
  }
  return [...byShort.values()];
}
