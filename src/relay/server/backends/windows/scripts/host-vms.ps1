# host.vms (read endpoint): Get-VM names, states (by name) and whether each is a cluster role.
# Params: {"node":"<host>"}.
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-VM } |
    Select-Object Name, @{ Name = 'State'; Expression = { [string]$_.State } }, IsClustered
