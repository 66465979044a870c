#Requires -RunAsAdministrator
#Requires -Version 5.1
<#
.SYNOPSIS
    Installs triage-bot's JEA role capabilities and registers its endpoints on this Hyper-V node.
.DESCRIPTION
    Idempotent: run it again after an upgrade or with other groups and it brings the node to the
    same state. It
      1. copies HvLmDiagReader.psrc (and HvLmFixWriter.psrc when -WriterGroup is given) into the
         module HvLmDiag under Program Files, with a minimal module manifest;
      2. writes each endpoint's session configuration from the shipped .pssc, with your AD group
         as the only role mapping, and checks it with Test-PSSessionConfigurationFile;
      3. registers the endpoint, or re-registers it when its configuration changed.
    Without -WriterGroup the write endpoint is not registered (and removed if present): least rights.
.EXAMPLE
    .\Register-TriageJea.ps1 -ReaderGroup 'CONTOSO\HvLm-Relay-Readers'
.EXAMPLE
    .\Register-TriageJea.ps1 -ReaderGroup 'CONTOSO\HvLm-Relay-Readers' -WriterGroup 'CONTOSO\HvLm-Relay-Writers'
.EXAMPLE
    On a domain controller (issue 19: KDC events and updates, read-only):
    .\Register-TriageJea.ps1 -DcReaderGroup 'CONTOSO\HvLm-Relay-DcReaders'
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [ValidatePattern('^[^\\\s]+\\[^\\]+$')][string]$ReaderGroup,
    # On a domain controller: registers only the DC's read-only endpoint (HvLmDcReader).
    [ValidatePattern('^[^\\\s]+\\[^\\]+$')][string]$DcReaderGroup,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,64}$')][string]$DcEndpoint = 'HvLmDcDiag',
    [ValidatePattern('^[^\\\s]+\\[^\\]+$')][string]$WriterGroup,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,64}$')][string]$ReadEndpoint = 'HvLmDiag',
    [ValidatePattern('^[A-Za-z0-9_.-]{1,64}$')][string]$WriteEndpoint = 'HvLmFix',
    [string]$ModuleRoot = (Join-Path $env:ProgramFiles 'WindowsPowerShell\Modules\HvLmDiag')
)
$ErrorActionPreference = 'Stop'
$here = $PSScriptRoot

function Install-RoleModule {
    param([string[]]$RoleFiles)
    $roles = Join-Path $ModuleRoot 'RoleCapabilities'
    New-Item -ItemType Directory -Path $roles -Force | Out-Null
    $manifest = Join-Path $ModuleRoot 'HvLmDiag.psd1'
    if (-not (Test-Path $manifest)) {
        New-ModuleManifest -Path $manifest -ModuleVersion '1.0.0' -Author 'triage-bot' -Description 'JEA role capabilities of triage-bot (no commands of its own).'
    }
    foreach ($file in $RoleFiles) { Copy-Item -Path (Join-Path $here $file) -Destination $roles -Force }
    # Only administrators may change role capabilities: whoever can edit them owns the endpoint.
    $acl = Get-Acl $ModuleRoot
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($who in 'BUILTIN\Administrators', 'NT AUTHORITY\SYSTEM') {
        $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow'))
    }
    $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new('BUILTIN\Users', 'ReadAndExecute', 'ContainerInherit,ObjectInherit', 'None', 'Allow'))
    Set-Acl -Path $ModuleRoot -AclObject $acl
}

function Register-Endpoint {
    param([string]$Name, [string]$Template, [string]$Group)
    $t = Import-PowerShellDataFile -Path (Join-Path $here $Template)
    $role = @($t.RoleDefinitions.Values)[0].RoleCapabilities
    $target = Join-Path $env:ProgramData "JEA\$Name.pssc"
    New-Item -ItemType Directory -Path (Split-Path $target) -Force | Out-Null
    $staged = "$target.new"
    New-PSSessionConfigurationFile -Path $staged -SessionType $t.SessionType -RunAsVirtualAccount `
        -TranscriptDirectory $t.TranscriptDirectory -Description $t.Description -Author $t.Author `
        -RoleDefinitions @{ $Group = @{ RoleCapabilities = $role } }
    if (-not (Test-PSSessionConfigurationFile -Path $staged)) { throw "$staged is not a valid session configuration" }
    New-Item -ItemType Directory -Path $t.TranscriptDirectory -Force | Out-Null
    $existing = Get-PSSessionConfiguration -Name $Name -ErrorAction SilentlyContinue
    $same = (Test-Path $target) -and ((Get-Content $target -Raw) -replace '(?m)^\s*(GUID|# Generated on).*$', '') -eq ((Get-Content $staged -Raw) -replace '(?m)^\s*(GUID|# Generated on).*$', '')
    if ($existing -and $same) {
        Remove-Item $staged
        Write-Host "$Name is already registered with this configuration."
        return $false
    }
    Move-Item -Path $staged -Destination $target -Force
    if ($PSCmdlet.ShouldProcess($Name, 'Register JEA endpoint')) {
        if ($existing) { Unregister-PSSessionConfiguration -Name $Name -Force -NoServiceRestart }
        Register-PSSessionConfiguration -Name $Name -Path $target -Force -NoServiceRestart | Out-Null
        Write-Host "$Name registered for $Group (role $role)."
    }
    return $true
}

if ($DcReaderGroup) {
    # A domain controller gets its own role and endpoint, registered like the node's, and nothing else.
    Install-RoleModule -RoleFiles @('HvLmDcReader.psrc')
    if (Register-Endpoint -Name $DcEndpoint -Template 'HvLmDcDiag.pssc' -Group $DcReaderGroup) { Restart-Service -Name WinRM }
    Write-Host "Done. Test from the relay: Invoke-Command -ComputerName $env:COMPUTERNAME -ConfigurationName $DcEndpoint -ScriptBlock { Get-Command }"
    return
}
if (-not $ReaderGroup) { throw 'Give -ReaderGroup (a Hyper-V node) or -DcReaderGroup (a domain controller).' }
$roleFiles = @('HvLmDiagReader.psrc')
if ($WriterGroup) { $roleFiles += 'HvLmFixWriter.psrc' }
Install-RoleModule -RoleFiles $roleFiles
$changed = Register-Endpoint -Name $ReadEndpoint -Template 'HvLmDiag.pssc' -Group $ReaderGroup
if ($WriterGroup) {
    $changed = (Register-Endpoint -Name $WriteEndpoint -Template 'HvLmFix.pssc' -Group $WriterGroup) -or $changed
} elseif (Get-PSSessionConfiguration -Name $WriteEndpoint -ErrorAction SilentlyContinue) {
    Unregister-PSSessionConfiguration -Name $WriteEndpoint -Force -NoServiceRestart
    Remove-Item (Join-Path $ModuleRoot 'RoleCapabilities\HvLmFixWriter.psrc') -ErrorAction SilentlyContinue
    Write-Host "$WriteEndpoint removed (no -WriterGroup given)."
    $changed = $true
}
# Registration was done with -NoServiceRestart; restart WinRM once, and only when something changed.
if ($changed) { Restart-Service -Name WinRM }
Write-Host "Done. Test from the relay: Invoke-Command -ComputerName $env:COMPUTERNAME -ConfigurationName $ReadEndpoint -ScriptBlock { Get-Command }"
