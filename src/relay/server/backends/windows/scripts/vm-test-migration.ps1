# vm.test-migration (WRITE endpoint): live-migrates one VM from the source node to the destination
# and reports the outcome with the migration events logged meanwhile.
# Params: {"vm":"<VM name>","source":"<host>","destination":"<host>","mode"?:"remote-initiated"|"cluster"}.
# No mode: Test-HvLmMigration on the source (its JEA write role), as before modes existed.
# remote-initiated (issue 19): Move-VM -ComputerName <source> run HERE, on the relay host, with
#   the relay's own account: the off-box path, where the source's VMMS must delegate the relay's
#   credentials to the destination (constrained delegation). Needs Hyper-V's PowerShell module on
#   the relay host and the relay account in Hyper-V Administrators on the source (manifests/jea/README.md).
#   Then the 21502/22038 events of both nodes since the start, through their read endpoint.
# cluster: Test-HvLmMigration -Kind Cluster on the source: Move-ClusterVirtualMachineRole only,
#   refused for a VM that is not a cluster role; then the destination's 21502/22038 too.
# Every value reaches a cmdlet as one bound parameter, never as script text.
$vm = [string]$p.vm
$source = [string]$p.source
$destination = [string]$p.destination
$mode = [string]$p.mode
# The relay validated these (zod); checked again because this process runs in full language.
if ($vm -cnotmatch '^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$') { throw [System.ArgumentException]::new('vm is not a VM name') }
foreach ($name in $source, $destination) {
    if ($name -cnotmatch '^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$') { throw [System.ArgumentException]::new('source and destination must be host names') }
}
if ($mode -notin '', 'remote-initiated', 'cluster') { throw [System.ArgumentException]::new('mode must be remote-initiated or cluster') }
# 21502/22038 a node logged since the start (60 s of slack for the node's clock), or why unknown.
$watchEvents = {
    param([string[]]$Nodes, [datetime]$Since)
    foreach ($node in $Nodes) {
        try {
            Invoke-Command -ComputerName $node -ConfigurationName $in.readEndpoint -ErrorAction Stop -ScriptBlock { Get-HvLmEvent -Hours 1 } |
                Where-Object { ($_.Id -in @(21502, 22038)) -and (([datetime]$_.TimeCreated).ToUniversalTime() -ge $Since.AddSeconds(-60)) } |
                Select-Object LogName, Id, TimeCreated, Message
        } catch {
            $unread.Add("$node ($($_.Exception.Message))")
        }
    }
}
$unread = [System.Collections.Generic.List[string]]::new()
if ($mode -eq 'remote-initiated') {
    $start = [datetime]::UtcNow
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $ok = $true
    $message = "Live migration of '$vm' from $source to $destination completed."
    try {
        $null = Hyper-V\Move-VM -ComputerName $source -Name $vm -DestinationHost $destination -ErrorAction Stop
    } catch {
        $ok = $false
        $message = $_.Exception.Message
    }
    $watch.Stop()
    $events = @(& $watchEvents -Nodes $source, $destination -Since $start)
    if ($unread.Count -gt 0) { $message = "$message (events unknown from $($unread -join '; '))" }
    [pscustomobject]@{ Succeeded = $ok; DurationMs = [int]$watch.ElapsedMilliseconds; Message = $message; Events = $events }
} elseif ($mode -eq 'cluster') {
    $start = [datetime]::UtcNow
    $moved = Invoke-Command -ComputerName $source -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Test-HvLmMigration -VMName $using:vm -DestinationHost $using:destination -Kind Cluster }
    $events = @($moved.Events) + @(& $watchEvents -Nodes $destination -Since $start)
    $message = [string]$moved.Message
    if ($unread.Count -gt 0) { $message = "$message (events unknown from $($unread -join '; '))" }
    [pscustomobject]@{ Succeeded = [bool]$moved.Succeeded; DurationMs = [int]$moved.DurationMs; Message = $message; Events = $events }
} else {
    Invoke-Command -ComputerName $source -ConfigurationName $in.endpoint -ErrorAction Stop -ScriptBlock { Test-HvLmMigration -VMName $using:vm -DestinationHost $using:destination }
}
