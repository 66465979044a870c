import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { psAuthenticationType, psDateTime, psList, psNumberList, psSingle, psVmState, qfeDate } from '../../../../src/relay/server/backends/windows/ps-values.js';

// The readers of ConvertTo-Json output accept PowerShell's documented forms and nothing else.

describe('psList', () => {
  const list = psList(z.object({ Name: z.string() }));
  it.each([
    ['null (empty pipeline)', null, []],
    ['one object (one-element pipeline)', { Name: 'a' }, [{ Name: 'a' }]],
    ['an array', [{ Name: 'a' }, { Name: 'b' }], [{ Name: 'a' }, { Name: 'b' }]],
    ['a Windows PowerShell {value, Count} wrapper', { value: [{ Name: 'a' }], Count: 1 }, [{ Name: 'a' }]],
  ])('reads %s', (_what, input, expected) => {
    expect(list.parse(input)).toEqual(expected);
  });

  it('rejects items of the wrong shape', () => {
    expect(list.safeParse([{ Name: 1 }]).success).toBe(false);
  });
});

describe('psSingle and psNumberList', () => {
  it('takes an object or a list of exactly one', () => {
    const one = psSingle(z.object({ a: z.number() }));
    expect(one.parse({ a: 1 })).toEqual({ a: 1 });
    expect(one.parse([{ a: 1 }])).toEqual({ a: 1 });
    expect(one.safeParse([{ a: 1 }, { a: 2 }]).success).toBe(false);
  });

  it('reads CIM arrays written as arrays, lone numbers or null', () => {
    expect(psNumberList.parse([1, 2])).toEqual([1, 2]);
    expect(psNumberList.parse(1)).toEqual([1]);
    expect(psNumberList.parse(null)).toEqual([]);
    expect(psNumberList.safeParse(['1']).success).toBe(false);
  });
});

describe('psDateTime', () => {
  it.each([
    ['/Date(1764064800000)/', '2025-11-25T10:00:00.000Z'],
    ['/Date(1764064800000+0100)/', '2025-11-25T10:00:00.000Z'],
    ['2025-11-25T10:00:00.1234567Z', '2025-11-25T10:00:00.123Z'],
    ['2025-11-25T11:00:00.5+01:00', '2025-11-25T10:00:00.500Z'],
    ['2025-11-25T10:00:00Z', '2025-11-25T10:00:00.000Z'],
  ])('reads %s', (input, expected) => {
    expect(psDateTime.parse(input)).toBe(expected);
  });

  it.each(['2025-11-25T10:00:00', '25/11/2025 10:00', '/Date(abc)/', 'yesterday'])('rejects %s (no zone, or not a date)', (input) => {
    expect(psDateTime.safeParse(input).success).toBe(false);
  });
});

describe('qfeDate', () => {
  it.each([
    ['11/8/2022', '2022-11-08'],
    ['04/09/2024', '2024-04-09'],
    ['20211109', '2021-11-09'],
    ['01d6b6f7a4b5c000', '2020-11-10'],
    ['', null],
    [null, null],
  ])('reads %s', (input, expected) => {
    expect(qfeDate.parse(input)).toBe(expected);
  });

  it.each(['2/30/2024', '13/1/2024', 'Nov 8 2022'])('rejects %s', (input) => {
    expect(qfeDate.safeParse(input).success).toBe(false);
  });
});

describe('enums', () => {
  it('maps MigrationAuthenticationType numbers and names, and nothing else', () => {
    expect(psAuthenticationType.parse(0)).toBe('CredSSP');
    expect(psAuthenticationType.parse(1)).toBe('Kerberos');
    expect(psAuthenticationType.parse('kerberos')).toBe('Kerberos');
    expect(psAuthenticationType.safeParse(2).success).toBe(false);
    expect(psAuthenticationType.safeParse('Negotiate').success).toBe(false);
  });

  it('maps VMState numbers and names, and nothing else', () => {
    expect(psVmState.parse(2)).toBe('Running');
    expect(psVmState.parse(3)).toBe('Off');
    expect(psVmState.parse('Saved')).toBe('Saved');
    expect(psVmState.safeParse(5).success).toBe(false);
    expect(psVmState.safeParse('Exploded').success).toBe(false);
  });
});

describe('an enum deserialized inside an object built on the node', () => {
  it('reads {"value": n, "Value": name} by its name', () => {
    expect(psAuthenticationType.parse({ value: 1, Value: 'Kerberos' })).toBe('Kerberos');
    expect(psAuthenticationType.parse({ value: 0, Value: 'CredSSP' })).toBe('CredSSP');
    expect(psVmState.parse({ value: 6, Value: 'Saved' })).toBe('Saved');
    expect(psAuthenticationType.safeParse({ value: 7, Value: 'Bogus' }).success).toBe(false);
  });
});
