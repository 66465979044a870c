# vm.test-migration (WRITE endpoint): live-migrates one VM from the source node
# to the destination through the Test-HvLmMigration wrapper on the source, and reports the outcome
# with the migration events logged meanwhile.
# Params: {"vm":"<VM name>","source":"<host>","destination":"<host>"}.
$vm = [string]$p.vm
$destination = [string]$p.destination
Invoke-Command -ComputerName $p.source -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Test-HvLmMigration -VMName $using:vm -DestinationHost $using:destination }
