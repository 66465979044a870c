# host.evidence (read endpoint): every read of one node in one remote call (Get-HvLmEvidence),
# which answers one JSON text made on the node; it travels as the data, parsed by the relay.
# The call goes over the session this process keeps for the node (Get-NodeSession, wrapper.ps1);
# one the node has dropped since (reboot, WinRM restart, its idle timeout) is replaced once.
# Params: {"node":"<host>","sinceHours":<1..744>,"names":["<host>",...]}.
$hours = [int]$p.sinceHours
$names = [string[]]@($p.names)
$s = Get-NodeSession -Node $p.node
try {
    Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-HvLmEvidence -Hours $using:hours -Name $using:names }
} catch {
    if ($_.Exception -isnot [System.Management.Automation.Remoting.PSRemotingTransportException] -and $_.Exception.InnerException -isnot [System.Management.Automation.Remoting.PSRemotingTransportException]) { throw }
    $s = Get-NodeSession -Node $p.node -Fresh
    Invoke-Command -Session $s -ErrorAction Stop -ScriptBlock { Get-HvLmEvidence -Hours $using:hours -Name $using:names }
}
