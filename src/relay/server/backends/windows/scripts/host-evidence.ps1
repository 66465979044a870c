# host.evidence (read endpoint): every read of one node in one remote call (Get-HvLmEvidence),
# which answers one JSON text made on the node; it travels as the data, parsed by the relay.
# Params: {"node":"<host>","sinceHours":<1..744>,"names":["<host>",...]}.
$hours = [int]$p.sinceHours
$names = [string[]]@($p.names)
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmEvidence -Hours $using:hours -Name $using:names }
