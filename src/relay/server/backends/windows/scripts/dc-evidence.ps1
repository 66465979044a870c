# dc.evidence (DC endpoint, issue 19): both reads of one domain controller in one remote call
# (Get-HvLmDcEvidence), which answers one JSON text made on the DC.
# Params: {"dc":"<host>","sinceHours":<1..168>,"names":[...]}.
$hours = [int]$p.sinceHours
$names = [string[]]@($p.names)
Invoke-Command -ComputerName $p.dc -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmDcEvidence -Hours $using:hours -Name $using:names }
