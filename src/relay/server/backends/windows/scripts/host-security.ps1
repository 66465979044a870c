# host.security (read endpoint): OS caption, Credential Guard state from
# Win32_DeviceGuard, the clock offset from the Get-TimeStatus wrapper, the node's addresses and
# its AD site (Win32_NTDomain.ClientSiteName), over one JEA session.
# Params: {"node":"<host>"}. JEA runs NoLanguage, so each remote call is a single command.
$s = New-PSSession -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop
try {
    $os = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_OperatingSystem' } |
        Select-Object Caption, Version
    $dg = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\Microsoft\Windows\DeviceGuard' -ClassName 'Win32_DeviceGuard' } |
        Select-Object SecurityServicesRunning, SecurityServicesConfigured
    $time = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-TimeStatus } |
        Select-Object Source, OffsetSeconds
    # The node's own addresses (every adapter with IP), which peers' forward lookups must land on.
    $addresses = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_NetworkAdapterConfiguration' } |
        Where-Object { $_.IPEnabled } | ForEach-Object { $_.IPAddress } | Where-Object { $_ }
    # The site Netlogon found for this node: the DCs of that site are the ones it asks for tickets.
    $site = Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_NTDomain' } |
        Where-Object { $_.ClientSiteName } | Select-Object -First 1 -ExpandProperty ClientSiteName
} finally {
    Remove-PSSession -Session $s
}
[pscustomobject]@{ OperatingSystem = $os; DeviceGuard = $dg; TimeStatus = $time; Addresses = [string[]]@($addresses); Site = [string]$site }
