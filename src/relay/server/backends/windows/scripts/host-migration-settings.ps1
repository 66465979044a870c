# host.migration-settings (read endpoint): Get-VMHost's migration settings. Enums are sent by name:
# across remoting an enum arrives as a number carrying its name, which ConvertTo-Json writes as
# {"value":1,"Value":"Kerberos"}. Params: {"node":"<host>"}.
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-VMHost } |
    Select-Object VirtualMachineMigrationEnabled, @{ Name = 'VirtualMachineMigrationAuthenticationType'; Expression = { [string]$_.VirtualMachineMigrationAuthenticationType } },
    @{ Name = 'VirtualMachineMigrationPerformanceOption'; Expression = { [string]$_.VirtualMachineMigrationPerformanceOption } },
    MaximumVirtualMachineMigrations, MaximumStorageMigrations, UseAnyNetworkForMigration
