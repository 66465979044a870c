import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { PwshPool } from '../../../src/relay/server/backends/windows/index.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// The endpoints as PowerShell itself builds them from manifests/jea (NoLanguage, the role's
// commands only, parameters constrained), and the open questions of manifests/jea/README.md
// answered with real PowerShell: how $using: reaches a NoLanguage endpoint, how enums cross
// remoting, and how w32tm's offset is read.

let lab: PwshLab;
let pool: PwshPool;
beforeAll(() => {
  if (SKIP_PWSH) return;
  const hosts = healthyCluster(4);
  hosts[1]!.w32tmOffset = 2.5; // the DC is 2.5 s ahead: HV02 is behind
  hosts[2]!.w32tmOffset = -400;
  hosts[2]!.w32tmFormat = 'legacy';
  hosts[3]!.w32tmFormat = 'error';
  lab = new PwshLab(hosts);
  pool = new PwshPool({ executable: lab.executable, size: 1, commandTimeoutMs: 60_000 });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await lab?.cleanup();
});

/** Runs a statement in the relay's PowerShell; returns its JSON output, or the error it raised. */
async function remote(statement: string): Promise<unknown> {
  // The error id's first part is what the relay reads (envelope.ts); the rest names the command.
  const out = await pool.run(`& { try { ${statement} | ConvertTo-Json -Compress -Depth 4 } catch { @{ error = ($_.FullyQualifiedErrorId -split ',')[0] } | ConvertTo-Json -Compress } }\n`);
  return JSON.parse(out.trim() || 'null');
}

describe.skipIf(SKIP_PWSH)('what a NoLanguage JEA endpoint accepts', () => {
  it('lists exactly the role with Get-Command', async () => {
    const names = (await remote("Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ScriptBlock { Get-Command } | ForEach-Object Name | Sort-Object")) as string[];
    expect(names).toEqual([
      'Clear-Host', 'Exit-PSSession', 'Get-CimInstance', 'Get-Command', 'Get-FormatData', 'Get-Help', 'Get-HvLmClusterNode', 'Get-HvLmEvent',
      'Get-HvLmEvidence', 'Get-HvLmVm', 'Get-TimeStatus', 'Get-VMHost', 'Measure-Object', 'Out-Default', 'Resolve-HvLmName', 'Select-Object',
    ]);
  });

  it('passes $using: values into a one-command script block (converted to a command before it is sent)', async () => {
    const out = await remote("$name = 'hv02'; Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Resolve-HvLmName -Name $using:name } | ForEach-Object NameHost");
    expect(out).toBe('hv02.lab.test');
    expect(lab.calls().at(-1)).toMatchObject({ commands: [{ name: 'Resolve-HvLmName', parameters: [{ name: '-Name' }, { name: null, value: 'hv02' }] }], script: null });
  });

  it.each([
    ['an expression around $using:', "$name = 'hv02'; Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Resolve-HvLmName -Name ([string]$using:name) }"],
    ['two statements', "Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { $x = 1; Get-HvLmVm }"],
    ['a script block argument', "Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Get-HvLmVm | Where-Object { $_.Name } }"],
    ['a .NET type', "Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { [System.IO.File]::ReadAllText('/etc/hostname') }"],
  ])('refuses %s as script text (ScriptsNotAllowed), as a JEA endpoint does', async (_what, statement) => {
    expect(await remote(statement)).toEqual({ error: 'ScriptsNotAllowed' });
    expect(lab.calls().at(-1)!.script).not.toBeNull();
  });

  it('does not know commands outside the role', async () => {
    expect(await remote('Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Get-Process }')).toEqual({ error: 'CommandNotFoundException' });
    expect(await remote('Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Resolve-DnsName -Name hv02 -Server 10.9.9.9 }')).toEqual({ error: 'CommandNotFoundException' });
    expect(await remote('Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Clear-HvLmMachineTicket }')).toEqual({ error: 'CommandNotFoundException' });
  });

  it('refuses values outside the role\'s ValidateSet and ValidatePattern', async () => {
    for (const block of ["Get-CimInstance -ClassName 'Win32_Service'", "Get-VMHost -ComputerName 'other'", "Resolve-HvLmName -Name 'a;b'", "Get-HvLmEvent -Hours 9999", "Get-CimInstance -ClassName 'Win32_OperatingSystem' -Filter 'x'"]) {
      const out = (await remote(`Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { ${block} }`)) as { error: string };
      expect(out.error, block).toMatch(/^(ParameterArgumentValidationError|NamedParameterNotFound)/);
    }
  });
});

describe.skipIf(SKIP_PWSH)('answers to the open questions', () => {
  it('an enum property of a cmdlet\'s object arrives as its name; the scripts send names either way', async () => {
    // PSSerializer (remoting's serializer) at remoting's depth 1 writes a cmdlet object's enum
    // property as its name; an enum inside an object built on the node arrives as a number
    // carrying its name ({"value":1,"Value":"Kerberos"} in JSON), so the role functions and the
    // scripts convert enums to names themselves, and the parser reads all three forms.
    expect(await remote("Invoke-Command -ComputerName HV01 -ConfigurationName HvLmDiag -ErrorAction Stop -ScriptBlock { Get-VMHost } | Select-Object VirtualMachineMigrationAuthenticationType")).toEqual({
      VirtualMachineMigrationAuthenticationType: 'Kerberos',
    });
    expect(await remote("[pscustomobject]@{ T = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize([pscustomobject]@{ E = [System.DayOfWeek]::Monday }, 1)).E }")).toEqual({ T: { value: 1, Value: 'Monday' } });
    const client = new InProcessRelayClient(lab.backend(1), 'windows (real pwsh)');
    expect(await client.call('host.migration-settings', { node: 'HV01' })).toMatchObject({ authenticationType: 'Kerberos' });
  });

  it("reads w32tm's offset as NTP's (DC minus node) in both output formats and says when there is none", async () => {
    const client = new InProcessRelayClient(lab.backend(1), 'windows (real pwsh)');
    expect(await client.call('host.security', { node: 'HV02' })).toMatchObject({ clockOffsetSeconds: -2.5 });
    expect(await client.call('host.security', { node: 'HV03' })).toMatchObject({ clockOffsetSeconds: 400 });
    await expect(client.call('host.security', { node: 'HV04' })).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
  });
});
