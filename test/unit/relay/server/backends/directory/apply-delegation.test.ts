import { describe, expect, it } from 'vitest';
import { NoSuchAttributeError, TypeOrValueExistsError, type Change, type Entry } from 'ldapts';
import { applyDelegation, type WriteContext } from '../../../../../../src/relay/server/backends/directory/apply-delegation.js';
import { DirectorySession } from '../../../../../../src/relay/server/backends/directory/connection.js';
import { RelayError, type OpParams } from '../../../../../../src/relay/protocol.js';

// The compare-and-swap write against an in-memory directory that applies LDAP modify semantics
// (a value to delete must be there, a value to add must not): here we can make AD change in the
// instant between our read and our modify, which a real DC does not let a test time.

type Attrs = Record<string, string[]>;

class FakeDirectory {
  readonly objects = new Map<string, Attrs>();
  modifies: string[] = [];
  /** Runs just before the n-th modify (0-based) is applied: "someone else wrote first". */
  beforeModify: Record<number, () => void> = {};

  add(name: string, attrs: Attrs): void {
    this.objects.set(`CN=${name},CN=Computers,DC=lab,DC=test`, { sAMAccountName: [`${name}$`], dNSHostName: [`${name.toLowerCase()}.lab.test`], ...attrs });
  }

  session(): DirectorySession {
    const session = Object.create(DirectorySession.prototype) as DirectorySession;
    const search = async (): Promise<Entry[]> => [...this.objects].map(([dn, attrs]) => ({ dn, ...attrs }));
    const modify = async (dn: string, changes: Change[]): Promise<void> => {
      this.beforeModify[this.modifies.length]?.();
      this.modifies.push(dn);
      const next = structuredClone(this.objects.get(dn)!);
      for (const c of changes) {
        const type = c.modification.type;
        const values = (c.modification.values as string[]).map(String);
        const have = next[type] ?? [];
        if (c.operation === 'delete') {
          if (!values.every((v) => have.includes(v))) throw new NoSuchAttributeError(`no such value in ${type}`);
          next[type] = have.filter((v) => !values.includes(v));
        } else {
          if (values.some((v) => have.includes(v))) throw new TypeOrValueExistsError(`value exists in ${type}`);
          next[type] = [...have, ...values];
        }
      }
      this.objects.set(dn, next); // one modify is atomic
    };
    Object.assign(session, { search, client: { modify } });
    return session;
  }

  values(name: string): Attrs {
    return this.objects.get(`CN=${name},CN=Computers,DC=lab,DC=test`)!;
  }
}

const APPROVAL = `${Buffer.from('{}').toString('base64url')}.${'0'.repeat(64)}`;

function setup(): { dir: FakeDirectory; ctx: WriteContext; params: OpParams<'directory.apply-delegation'> } {
  const dir = new FakeDirectory();
  dir.add('HV01', { userAccountControl: ['4096'], 'msDS-AllowedToDelegateTo': ['cifs/HV02', 'cifs/OLD'] });
  dir.add('HV02', { userAccountControl: [String(4096 | 0x80000)] });
  const ctx: WriteContext = { session: dir.session(), base: 'DC=lab,DC=test', domainRoot: 'DC=lab,DC=test', domainFqdn: 'lab.test' };
  const params: OpParams<'directory.apply-delegation'> = {
    approval: APPROVAL,
    changes: [
      { computer: 'HV01', expected: { allowedToDelegateTo: ['cifs/OLD', 'CIFS/hv02'], userAccountControl: 4096 }, desired: { allowedToDelegateTo: ['cifs/HV02', 'cifs/hv02.lab.test'], userAccountControl: 4096 | 0x1000000 } },
      { computer: 'HV02', expected: { allowedToDelegateTo: [], userAccountControl: 4096 | 0x80000 }, desired: { allowedToDelegateTo: ['cifs/HV01'], userAccountControl: 4096 | 0x1000000 } },
    ],
  };
  return { dir, ctx, params };
}

describe('apply-delegation compare-and-swap', () => {
  it('compares lists as case-insensitive sets and writes only the difference, one modify per computer', async () => {
    const { dir, ctx, params } = setup();
    const r = await applyDelegation(ctx, params);
    expect(dir.modifies).toHaveLength(2);
    expect(dir.values('HV01')['msDS-AllowedToDelegateTo']).toEqual(['cifs/HV02', 'cifs/hv02.lab.test']);
    expect(dir.values('HV01').userAccountControl).toEqual([String(4096 | 0x1000000)]);
    expect(dir.values('HV02').userAccountControl).toEqual([String(4096 | 0x1000000)]);
    expect(r.applied.map((a) => a.after.userAccountControl)).toEqual([4096 | 0x1000000, 4096 | 0x1000000]);
  });

  it('turns a value changed between read and modify into CONFLICT, and rolls back what it wrote', async () => {
    const { dir, ctx, params } = setup();
    const hv01Before = structuredClone(dir.values('HV01'));
    dir.beforeModify[1] = () => dir.values('HV02').userAccountControl!.splice(0, 1, '4096'); // an admin clears 0x80000 first
    const err = (await applyDelegation(ctx, params).catch((e: unknown) => e)) as RelayError;
    expect(err).toBeInstanceOf(RelayError);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/HV02 changed in AD while the fix was being written.*HV01 had been written and was rolled back/);
    expect(dir.values('HV01')).toEqual(hv01Before);
    expect(dir.values('HV02').userAccountControl).toEqual(['4096']);
    const current = (err.details as { current: Array<{ computer: string; userAccountControl: number }> }).current;
    expect(current.map((c) => [c.computer, c.userAccountControl])).toEqual([['HV01', 4096], ['HV02', 4096]]);
  });

  it('says so when a rollback itself is refused', async () => {
    const { dir, ctx, params } = setup();
    dir.beforeModify[1] = () => dir.values('HV02').userAccountControl!.splice(0, 1, '4096');
    dir.beforeModify[2] = () => dir.values('HV01').userAccountControl!.splice(0, 1, '4096'); // and someone reset HV01 meanwhile
    const err = (await applyDelegation(ctx, params).catch((e: unknown) => e)) as RelayError;
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/HV01 was written and could NOT be rolled back/);
    expect(err.details).toMatchObject({ written: ['HV01'], rolledBack: [] });
  });

  it('writes nothing when a computer in the change does not exist', async () => {
    const { dir, ctx, params } = setup();
    params.changes[1]!.computer = 'HV09';
    await expect(applyDelegation(ctx, params)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/HV09.*nothing was written/) });
    expect(dir.modifies).toEqual([]);
  });
});
