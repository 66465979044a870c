param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: host.set-migration-auth (WRITE endpoint): compare-and-set of
# VirtualMachineMigrationAuthenticationType through the Set-HvLmMigrationAuth wrapper, which
# changes nothing unless the current value is the expected one.
# Params: {"node":"<host>","expected":"Kerberos|CredSSP","authenticationType":"Kerberos|CredSSP"}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $expected = [string]$p.expected
    $wanted = [string]$p.authenticationType
    $data = Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Set-HvLmMigrationAuth -Expected $using:expected -AuthenticationType $using:wanted }
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
