param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# the one wrapper every operation script runs in (script-catalog.ts puts the
# operation's body where the OPERATION line is). It runs on the relay host, in full language; only
# the Invoke-Command script blocks of the body reach a node's JEA endpoint. The only input is
# $ParamsB64, base64 of {"endpoint":"<JEA configuration>","params":{...}}, already validated by
# the relay. Output: one line of JSON, {"ok":true,"data":...} or {"ok":false,"errorType",...}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
# JEA sessions this process keeps open, one per node and endpoint, for a later read of the same
# node (a session set-up costs about what a remote call costs). One unused for sessionIdleMs is
# closed here; Get-NodeSession -Fresh replaces one the node dropped.
if ($null -eq $global:TriageSessions) { $global:TriageSessions = @{} }
foreach ($key in @($global:TriageSessions.Keys)) {
    $held = $global:TriageSessions[$key]
    if (([DateTime]::UtcNow - $held.Used).TotalMilliseconds -gt [double]$in.sessionIdleMs) {
        $global:TriageSessions.Remove($key)
        Remove-PSSession -Session $held.Session -ErrorAction SilentlyContinue
    }
}
function Get-NodeSession {
    param([string]$Node, [switch]$Fresh)
    $key = ($in.endpoint + '|' + $Node).ToLowerInvariant()
    $held = $global:TriageSessions[$key]
    if ($held -and ($Fresh -or [string]$held.Session.State -ne 'Opened')) {
        $global:TriageSessions.Remove($key)
        Remove-PSSession -Session $held.Session -ErrorAction SilentlyContinue
        $held = $null
    }
    if (-not $held) {
        $held = @{ Session = New-PSSession -ComputerName $Node -ConfigurationName $in.endpoint -ErrorAction Stop }
        $global:TriageSessions[$key] = $held
    }
    $held.Used = [DateTime]::UtcNow
    $held.Session
}
try {
    $data = & {
#OPERATION
    }
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 6
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
