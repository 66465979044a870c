# host.dns (read endpoint): every name resolved on the node in one remote call (Resolve-HvLmName:
# all A/AAAA addresses, and the PTR of the first). Params: {"node":"<host>","names":["<host>",...]}.
$names = [string[]]@($p.names)
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Resolve-HvLmName -Name $using:names } |
    Select-Object Query, Addresses, NameHost
