# host.dns (read endpoint): on the node, Resolve-DnsName (A) for every name, then
# the PTR of the first address, so a name that points at another host shows up. One JEA session.
# Params: {"node":"<host>","names":["<host>",...]}.
$s = New-PSSession -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop
try {
    foreach ($n in @($p.names)) {
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
