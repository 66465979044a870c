param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: host.migration-settings (read endpoint). Fixed text; the only input is
# $ParamsB64, base64 of {"endpoint":"<JEA configuration>","params":{"node":"<host>"}}, already
# validated by the relay. Output: one line of JSON, {"ok":true,"data":...} or {"ok":false,...}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $data = Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-VMHost } |
        Select-Object VirtualMachineMigrationEnabled, VirtualMachineMigrationAuthenticationType, MaximumVirtualMachineMigrations, MaximumStorageMigrations, UseAnyNetworkForMigration
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
