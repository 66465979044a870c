# host.hotfixes (read endpoint): Win32_QuickFixEngineering. InstalledOn is a string in CIM
# (M/d/yyyy, yyyymmdd or a FILETIME in hex, often empty), but PowerShell's type data for the class
# turns it into a DateTime where it can parse it, and that is what crosses remoting: sent here as
# yyyy-MM-dd (the date as the node recorded it, no time zone to get wrong), else the raw string.
# Params: {"node":"<host>"}.
Invoke-Command -ComputerName $p.node -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Get-CimInstance -Namespace 'root\cimv2' -ClassName 'Win32_QuickFixEngineering' } |
    Select-Object HotFixID, @{ Name = 'InstalledOn'; Expression = { if ($_.InstalledOn -is [datetime]) { $_.InstalledOn.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture) } else { [string]$_.InstalledOn } } }
