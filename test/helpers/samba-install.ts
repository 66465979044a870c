import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Makes sure the Samba AD DC binaries and the provisioning data are on this machine. CI starts
// on a fresh Debian machine as root, so we install there; anywhere else we stop with the exact
// command to run. `samba-ad-provision` is only a Recommends of `samba-ad-dc`, so a
// --no-install-recommends install leaves `samba-tool domain provision` without its schema files.

const PACKAGES = ['samba-ad-dc', 'samba-ad-provision', 'samba', 'winbind', 'krb5-user', 'ldb-tools'];
export const SAMBA_INSTALL_COMMAND =
  `sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}'`;

const SCHEMA_FILE = '/usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf';

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore', env: withSbin() });
    return true;
  } catch {
    return false;
  }
}

/** `samba` lives in /usr/sbin, which a non-login shell of an ordinary user may not have. */
export function withSbin(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = env.PATH ?? '';
  return path.split(':').includes('/usr/sbin') ? env : { ...env, PATH: `${path}:/usr/sbin:/sbin` };
}

export function sambaMissing(): string[] {
  const missing = ['samba', 'samba-tool', 'openssl'].filter((b) => !onPath(b));
  if (!existsSync(SCHEMA_FILE)) missing.push('samba-ad-provision (schema files)');
  return missing;
}

export function ensureSambaInstalled(): void {
  const missing = sambaMissing();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`The integration tests need a Samba AD DC, and ${missing.join(', ')} is missing. Install it with:\n  ${SAMBA_INSTALL_COMMAND}`);
  }
  console.error(`[samba] installing ${PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
  execFileSync('sh', ['-c', `apt-get update && apt-get install -y --no-install-recommends ${PACKAGES.join(' ')} openssl`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...withSbin(), DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = sambaMissing();
  if (still.length > 0) throw new Error(`Installing Samba did not provide: ${still.join(', ')}`);
}

export function requireRoot(): void {
  // The AD DC binds the privileged LDAP ports and writes root-owned state; it does not run as
  // an ordinary user.
  if (process.getuid?.() !== 0) {
    throw new Error('The integration tests start a throwaway Samba AD DC, which must run as root. Run `npm test` as root (CI does), or run only the unit tests: npx vitest run test/unit');
  }
}
