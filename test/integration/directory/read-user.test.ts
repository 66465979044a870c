import { beforeAll, describe, expect, it } from 'vitest';
import { directoryClient, useSamba } from '../../helpers/samba-context.js';
import { addGroupMembers, createGroup, createUser, sambaTool, setSensitive, withAdmin, type SambaConnection } from '../../helpers/samba.js';

// directory.user against a real Samba AD DC: the initiating identity's account flags and its
// nested groups (INITIATOR_NOT_DELEGATABLE, docs/domain.md "The initiator"). This file owns the users
// alice, bob, dave and erin, the groups lm-*, and the OUs Tier0 and Decoy; it also moves and
// renames the real Protected Users group.

let samba: SambaConnection;
const dn = (rdn: string): string => `${rdn},${samba.baseDn}`;

beforeAll(async () => {
  samba = useSamba();
  await createUser(samba, 'alice', { upn: 'alice@lab.test', mail: 'alice.m@lab.test' });
  await createUser(samba, 'bob', { upn: 'bob@lab.test' });
  await createUser(samba, 'dave', { mail: 'shared@lab.test' });
  await createUser(samba, 'erin', { mail: 'shared@lab.test' });
  await createGroup(samba, 'lm-operators');
  await createGroup(samba, 'lm-admins');
  await addGroupMembers(samba, 'lm-operators', 'alice');
  await addGroupMembers(samba, 'lm-admins', 'lm-operators');
  await addGroupMembers(samba, 'Protected Users', 'lm-admins'); // alice is in it two levels down
  await setSensitive(samba, 'bob', true);
});

describe('directory.user on Samba', () => {
  it('finds a user by UPN with nested groups, and Protected Users membership through them', async () => {
    const { user } = await directoryClient(samba).call('directory.user', { id: 'alice@lab.test' });
    expect(user).toMatchObject({ name: 'alice', upn: 'alice@lab.test', mail: 'alice.m@lab.test', sensitive: false, protectedUsers: true });
    expect(user!.groups).toEqual(
      [dn('CN=Protected Users,CN=Users'), dn('CN=lm-admins,CN=Users'), dn('CN=lm-operators,CN=Users')].sort(),
    );
  });

  it('finds a user by mail, and reports "sensitive and cannot be delegated"', async () => {
    const relay = directoryClient(samba);
    expect((await relay.call('directory.user', { id: 'alice.m@lab.test' })).user?.name).toBe('alice');
    const { user } = await relay.call('directory.user', { id: 'bob@lab.test' });
    expect(user).toMatchObject({ name: 'bob', sensitive: true, protectedUsers: false, groups: [] });
    expect(user!.userAccountControl & 0x100000).toBe(0x100000);
  });

  it('answers null for nobody, and refuses to guess between two accounts sharing a mail address', async () => {
    const relay = directoryClient(samba);
    expect(await relay.call('directory.user', { id: 'nobody@lab.test' })).toEqual({ user: null });
    await expect(relay.call('directory.user', { id: 'shared@lab.test' })).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringMatching(/more than one account/) });
  });

  it('recognises Protected Users by its SID (RID 525), not by its name or place', async () => {
    await sambaTool(samba, 'ou', 'create', 'OU=Tier0');
    await sambaTool(samba, 'ou', 'create', 'OU=Decoy');
    await withAdmin(samba, async (c) => {
      await c.modifyDN(dn('CN=Protected Users,CN=Users'), dn('CN=Shielded Users,OU=Tier0'));
      await c.add(dn('CN=Protected Users,OU=Decoy'), { objectClass: ['top', 'group'], sAMAccountName: 'lm-decoy', member: [dn('CN=bob,CN=Users')] });
    });
    const relay = directoryClient(samba);
    const alice = (await relay.call('directory.user', { id: 'alice@lab.test' })).user!;
    expect(alice.protectedUsers).toBe(true);
    expect(alice.groups).toContain(dn('CN=Shielded Users,OU=Tier0'));
    const bob = (await relay.call('directory.user', { id: 'bob@lab.test' })).user!;
    expect(bob.groups).toEqual([dn('CN=Protected Users,OU=Decoy')]);
    expect(bob.protectedUsers).toBe(false);
  });
});
