# host.set-migration-auth (WRITE endpoint): compare-and-set of
# VirtualMachineMigrationAuthenticationType through the Set-HvLmMigrationAuth wrapper, which
# changes nothing unless the current value is the expected one.
# Params: {"node":"<host>","expected":"Kerberos|CredSSP","authenticationType":"Kerberos|CredSSP"}.
$expected = [string]$p.expected
$wanted = [string]$p.authenticationType
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Set-HvLmMigrationAuth -Expected $using:expected -AuthenticationType $using:wanted }
