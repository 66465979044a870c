# cluster.nodes (read endpoint): the role's Get-HvLmClusterNode run on the cluster name (the node
# that owns it answers), states and cluster as names. Params: {"cluster":"<cluster name>"}.
Invoke-Command -ComputerName $p.cluster -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmClusterNode } |
    Select-Object Name, State, Cluster
