param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: host.vms (read endpoint): Get-VM names and states. Params: {"node":"<host>"}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $data = Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-VM } |
        Select-Object Name, State
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
