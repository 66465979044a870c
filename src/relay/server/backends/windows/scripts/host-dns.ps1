param([Parameter(Mandatory = $true)][ValidatePattern('^[A-Za-z0-9+/=]*$')][string]$ParamsB64)
# triage-bot relay: host.dns (read endpoint): on the node, Resolve-DnsName (A) for every name, then
# the PTR of the first address, so a name that points at another host shows up. One JEA session.
# Params: {"node":"<host>","names":["<host>",...]}.
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$in = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($ParamsB64)) | ConvertFrom-Json
$p = $in.params
try {
    $s = New-PSSession -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop
    try {
        $data = foreach ($n in @($p.names)) {
            $name = [string]$n
            $a = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Resolve-DnsName -Name $using:name -Type A -DnsOnly -ErrorAction SilentlyContinue } |
                Where-Object { [string]$_.Type -eq 'A' } | Select-Object -First 1
            $ptr = $null
            if ($a) {
                $ip = [string]$a.IPAddress
                $ptr = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Resolve-DnsName -Name $using:ip -Type PTR -DnsOnly -ErrorAction SilentlyContinue } |
                    Where-Object { [string]$_.Type -eq 'PTR' } | Select-Object -First 1
            }
            [pscustomobject]@{ Query = $name; Name = $a.Name; IPAddress = $a.IPAddress; NameHost = $ptr.NameHost }
        }
    } finally {
        Remove-PSSession -Session $s
    }
    [pscustomobject]@{ ok = $true; data = $data } | ConvertTo-Json -Compress -Depth 5
} catch {
    [pscustomobject]@{ ok = $false; errorType = $_.Exception.GetType().FullName; errorId = $_.FullyQualifiedErrorId; message = $_.Exception.Message } | ConvertTo-Json -Compress -Depth 5
}
