# host.purge-tickets (WRITE endpoint): klist -li 0x3e7 purge through the
# Clear-HvLmMachineTicket wrapper, so new delegation settings take effect. Params: {"node":"<host>"}.
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Clear-HvLmMachineTicket }
