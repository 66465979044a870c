# Lays out the JEA side of an emulated node set, from the files the project ships:
#   - the role module HvLmDiag with manifests/jea/*.psrc in its RoleCapabilities folder (what
#     Register-TriageJea.ps1 installs under Program Files);
#   - each endpoint's session configuration, made from the shipped .pssc exactly as
#     Register-TriageJea.ps1 makes it (Import-PowerShellDataFile, New-PSSessionConfigurationFile
#     with the group as the only role mapping) and checked with Test-PSSessionConfigurationFile.
# It also checks the role files: every visible function has a definition, every visible cmdlet
# exists in the stub module it names with every parameter the role constrains. A failure here
# means the shipped files would not work on a node either.
param(
    [Parameter(Mandatory = $true)][string]$JeaDir,
    [Parameter(Mandatory = $true)][string]$StubModules,
    [Parameter(Mandatory = $true)][string]$OutDir,
    [Parameter(Mandatory = $true)][string]$ReaderGroup,
    [Parameter(Mandatory = $true)][string]$WriterGroup,
    # The domain controllers' read-only endpoint (issue 19).
    [string]$DcReaderGroup = 'LAB\HvLm-Relay-DcReaders'
)
$ErrorActionPreference = 'Stop'
$roles = Join-Path $OutDir 'roles/HvLmDiag/RoleCapabilities'
New-Item -ItemType Directory -Force -Path $roles | Out-Null
New-ModuleManifest -Path (Join-Path $OutDir 'roles/HvLmDiag/HvLmDiag.psd1') -ModuleVersion '1.0.0' -Author 'triage-bot' -Description 'JEA role capabilities of triage-bot (no commands of its own).'
$env:PSModulePath = $StubModules + [System.IO.Path]::PathSeparator + (Join-Path $OutDir 'roles') + [System.IO.Path]::PathSeparator + $env:PSModulePath
$problems = [System.Collections.Generic.List[string]]::new()
foreach ($file in Get-ChildItem -Path $JeaDir -Filter '*.psrc') {
    Copy-Item -Path $file.FullName -Destination $roles
    $role = Import-PowerShellDataFile -Path $file.FullName
    $defined = @($role.FunctionDefinitions | ForEach-Object { $_.Name })
    foreach ($f in @($role.VisibleFunctions | Where-Object { $_ })) {
        if ($defined -notcontains $f) { $problems.Add("$($file.Name): visible function $f has no definition") }
    }
    foreach ($c in @($role.VisibleCmdlets | Where-Object { $_ })) {
        $name = if ($c -is [hashtable]) { $c.Name } else { $c }
        $cmd = Get-Command -Name $name -CommandType Cmdlet -ErrorAction SilentlyContinue
        if (-not $cmd) { $problems.Add("$($file.Name): visible cmdlet $name does not exist"); continue }
        if ($c -is [hashtable]) {
            foreach ($p in @($c.Parameters)) {
                if (-not $cmd.Parameters.ContainsKey($p.Name)) { $problems.Add("$($file.Name): $name has no parameter -$($p.Name)") }
            }
        }
    }
}
$endpoints = @{}
foreach ($pair in @(@('HvLmDiag', 'HvLmDiag.pssc', $ReaderGroup), @('HvLmFix', 'HvLmFix.pssc', $WriterGroup), @('HvLmDcDiag', 'HvLmDcDiag.pssc', $DcReaderGroup))) {
    $t = Import-PowerShellDataFile -Path (Join-Path $JeaDir $pair[1])
    $role = @($t.RoleDefinitions.Values)[0].RoleCapabilities
    $target = Join-Path $OutDir "endpoints/$($pair[0]).pssc"
    New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
    New-PSSessionConfigurationFile -Path $target -SessionType $t.SessionType -RunAsVirtualAccount `
        -TranscriptDirectory (Join-Path $OutDir "transcripts/$($pair[0])") -Description $t.Description -Author $t.Author `
        -RoleDefinitions @{ $pair[2] = @{ RoleCapabilities = $role } }
    # Test-PSSessionConfigurationFile is Windows-only; PowerShell's own loader is the stricter check.
    try {
        $null = [System.Management.Automation.Runspaces.InitialSessionState]::CreateFromSessionConfigurationFile($target, [Func[string, bool]] { param($g) $true })
    } catch { $problems.Add("$($pair[1]): not a valid session configuration: $($_.Exception.InnerException.Message)") }
    $endpoints[$pair[0]] = @{ pssc = $target; group = $pair[2] }
}
if ($problems.Count -gt 0) { throw ($problems -join "`n") }
$endpoints | ConvertTo-Json -Compress
