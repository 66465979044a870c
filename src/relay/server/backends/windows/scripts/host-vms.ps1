# host.vms (read endpoint): Get-HvLmVm, each VM's name, state (by name), whether it is a cluster
# role, and its storage paths. Params: {"node":"<host>"}.
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmVm } |
    Select-Object Name, State, IsClustered, StoragePaths
