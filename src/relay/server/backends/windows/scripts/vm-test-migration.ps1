param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: vm.test-migration (WRITE endpoint): live-migrates one VM from the source node
# to the destination through the Test-HvLmMigration wrapper on the source, and reports the outcome
# with the migration events logged meanwhile.
# Params: {"vm":"<VM name>","source":"<host>","destination":"<host>"}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $vm = [string]$p.vm
    $destination = [string]$p.destination
    $data = Invoke-Command -ComputerName $p.source -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Test-HvLmMigration -VMName $using:vm -DestinationHost $using:destination }
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
