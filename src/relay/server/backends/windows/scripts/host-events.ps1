# host.events (read endpoint): live-migration events of the last N hours from
# the Hyper-V-High-Availability-Admin and Hyper-V-VMMS-Admin logs (Get-HvLmEvent's default logs).
# Params: {"node":"<host>","sinceHours":<1..744>}.
$hours = [int]$p.sinceHours
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmEvent -Hours $using:hours } |
    Select-Object LogName, Id, TimeCreated, Message
