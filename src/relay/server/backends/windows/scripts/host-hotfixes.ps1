param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: host.hotfixes (read endpoint): Win32_QuickFixEngineering (HotFixID and the
# InstalledOn string as CBS stored it, e.g. 11/12/2026). Params: {"node":"<host>"}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $data = Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_QuickFixEngineering' } |
        Select-Object HotFixID, InstalledOn
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
