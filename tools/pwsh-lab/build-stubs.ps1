# Compiles the stub cmdlets into the modules that stand in for Windows' own on Linux: one
# assembly per module (Hyper-V, FailoverClusters, DnsClient, CimCmdlets,
# Microsoft.PowerShell.Diagnostics; PowerShell ties a binary module's cmdlets to the first module
# that loads the assembly), each referencing TriageLab.Stubs.dll, which holds the emulated hosts'
# state (LabState.cs) so every module reads the same host. Run by tools/pwsh-lab/lab.ts
# into a cache directory whenever the sources change.
param(
    [Parameter(Mandatory = $true)][string]$OutDir
)
$ErrorActionPreference = 'Stop'
$src = Join-Path $PSScriptRoot 'stubs'
$common = Join-Path $OutDir 'TriageLab.Stubs/TriageLab.Stubs.dll'
New-Item -ItemType Directory -Force -Path (Split-Path $common) | Out-Null
Add-Type -Path (Join-Path $src 'LabState.cs') -OutputAssembly $common -OutputType Library
Add-Type -Path $common
$modules = [ordered]@{
    'Hyper-V' = 'Get-VMHost', 'Set-VMHost', 'Get-VM', 'Move-VM', 'Get-VMMigrationNetwork'
    'FailoverClusters' = 'Get-ClusterNode', 'Get-ClusterGroup', 'Get-ClusterResource', 'Move-ClusterVirtualMachineRole'
    'DnsClient' = @('Resolve-DnsName')
    'CimCmdlets' = @('Get-CimInstance')
    'Microsoft.PowerShell.Diagnostics' = @('Get-WinEvent')
}
# Add-Type's own default references ($PSHOME/ref: the .NET reference assemblies, and
# PowerShell's) plus the shared state assembly: naming any reference replaces the defaults.
$refs = @(Get-ChildItem -Path (Join-Path $PSHOME 'ref') -Filter '*.dll' | ForEach-Object FullName) + @([psobject].Assembly.Location, $common)
foreach ($name in $modules.Keys) {
    $dir = Join-Path $OutDir $name
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $dll = Join-Path $dir "$name.Stub.dll"
    Add-Type -Path (Join-Path $src "$name.cs") -OutputAssembly $dll -OutputType Library -ReferencedAssemblies $refs
    New-ModuleManifest -Path (Join-Path $dir "$name.psd1") -RootModule "$name.Stub.dll" -RequiredAssemblies '../TriageLab.Stubs/TriageLab.Stubs.dll' `
        -ModuleVersion '1.0.0' -CmdletsToExport $modules[$name] -FunctionsToExport @() -AliasesToExport @() -VariablesToExport @() `
        -Description "triage-bot test stub of Windows' $name module"
}
