param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: cluster.nodes (read endpoint): Get-ClusterNode run on the cluster name (the
# node that owns it answers). Params: {"cluster":"<cluster name>"}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $data = Invoke-Command -ComputerName $p.cluster -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-ClusterNode } |
        Select-Object Name, State, @{ Name = 'Cluster'; Expression = { [string]$_.Cluster } }
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
