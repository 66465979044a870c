# dc.hotfixes (DC endpoint, issue 19): Win32_QuickFixEngineering on one domain controller,
# InstalledOn as CIM stores it (the relay reads every form).
# Params: {"dc":"<host>"}.
Invoke-Command -ComputerName $p.dc -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-HvLmDcHotfix }
