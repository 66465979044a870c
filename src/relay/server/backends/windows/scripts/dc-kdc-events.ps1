# dc.kdc-events (DC endpoint, issue 19): the KDC's failure events naming the given principals, on
# one domain controller (Get-HvLmKdcEvent: the filter is a fixed hashtable built in the role).
# Params: {"dc":"<host>","sinceHours":<1..168>,"names":["HV01$","cifs/hv02.contoso.com",...]}.
$hours = [int]$p.sinceHours
$names = [string[]]@($p.names)
Invoke-Command -ComputerName $p.dc -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmKdcEvent -Hours $using:hours -Name $using:names }
