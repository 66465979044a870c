# WinRM and JEA, emulated inside one PowerShell 7 process, for the relay's tests on Linux.
#
# The relay's scripts reach a Hyper-V node only through Invoke-Command / New-PSSession against
# a JEA endpoint. Linux has no WinRM, so this module replaces those three cmdlets (it is loaded
# by the test profile of the pool's PowerShell, never in production) and does what WinRM and
# the node would do, with PowerShell's own machinery wherever it exists:
#   - the endpoint's runspace is built by InitialSessionState.CreateFromSessionConfigurationFile
#     from the session configuration written as Register-TriageJea.ps1 writes it, and the role
#     capability files shipped in manifests/jea (found on PSModulePath in a RoleCapabilities
#     folder, as on a node): visible cmdlets and functions, their ValidateSet/ValidatePattern,
#     RestrictedRemoteServer, NoLanguage;
#   - the script block is converted the way Invoke-Command converts it for a remote pipeline
#     (ScriptBlock.GetPowerShell with the $using: values of the caller): a single command or
#     pipeline goes as commands, anything else goes as script text, which NoLanguage refuses;
#   - every object comes back through PowerShell's remoting serializer (PSSerializer, depth 1)
#     with PSComputerName, RunspaceId and PSShowComputerName added, as remoting adds them;
#   - a node that cannot be reached, an endpoint that is not registered, or a caller outside
#     the role's group fail with the transport errors WinRM raises.
# The Windows-only cmdlets themselves (Hyper-V, FailoverClusters, DnsClient, CimCmdlets,
# Get-WinEvent) are compiled stubs (stubs/*.cs) reading the emulated host's state file; w32tm.exe
# and klist.exe are stub executables under the host's own SystemRoot.
#
# Configuration: $env:TRIAGE_PWSH_LAB names a lab directory whose lab.json says where the stub
# modules and role modules are, which endpoints exist, the relay account's groups, and which
# state file each host name (short or FQDN, any case) answers from.
#
# Modelled WinRM latency (the production-model bench, bench/production-model.ts): latency.json
# in the lab directory, {"sessionMs":n,"callMs":n}, read at every session and call (PwshLab's
# setLatency writes it, so one warm pool can be measured with and without). Opening an endpoint
# session (New-PSSession, or the one Invoke-Command -ComputerName opens) first waits sessionMs,
# as WinRM's connect, Kerberos and the JEA runspace (virtual account, role modules) take on a real
# node; every command run in a session waits callMs, as a remote call's round trip does. A node
# whose state has latencyMs waits that on top, at both (a slow node). Each session opened is
# logged to sessions.jsonl in the lab directory, next to the call log.

$script:Lab = Get-Content -Raw -Path (Join-Path $env:TRIAGE_PWSH_LAB 'lab.json') | ConvertFrom-Json -AsHashtable
$script:LatencyFile = Join-Path $env:TRIAGE_PWSH_LAB 'latency.json'
function Wait-ModelledLatency {
    param([string]$Kind, $LabHost)
    if ([System.IO.File]::Exists($script:LatencyFile)) {
        $ms = [int]([System.IO.File]::ReadAllText($script:LatencyFile) | ConvertFrom-Json -AsHashtable)[$Kind]
        if ($ms -gt 0) { Start-Sleep -Milliseconds $ms }
    }
    if ($LabHost.State.latencyMs) { Start-Sleep -Milliseconds ([int]$LabHost.State.latencyMs) }
}
$script:Sessions = @{}
$script:NextSessionId = 1
Add-Type -Path $script:Lab.stubAssembly
# The relay host has Hyper-V's management tools (RSAT): Move-VM -ComputerName <host> run here
# reaches that host's state by name, as the real cmdlet reaches its VMMS over WMI.
foreach ($entry in $script:Lab.hosts.GetEnumerator()) { [TriageLab.Stubs.LabState]::SetHost($entry.Key, $entry.Value) }
foreach ($module in @($script:Lab.relayModules)) { Import-Module -Name $module -Global }

function New-TransportError {
    param([string]$ComputerName, [string]$Id, [string]$Message)
    $ex = [System.Management.Automation.Remoting.PSRemotingTransportException]::new("Connecting to remote server $ComputerName failed with the following error message : $Message")
    [System.Management.Automation.ErrorRecord]::new($ex, "$Id,PSSessionStateBroken", [System.Management.Automation.ErrorCategory]::OpenError, $ComputerName)
}

function Get-LabHost {
    param([string]$ComputerName)
    $file = $script:Lab.hosts[$ComputerName.ToLowerInvariant()]
    if (-not $file) { return $null }
    [pscustomobject]@{ Name = $ComputerName; StateFile = $file; State = (Get-Content -Raw -Path $file | ConvertFrom-Json -AsHashtable) }
}

# The endpoint's session state, built once per endpoint as WinRM's plugin builds it from the
# registered configuration (each session still gets a runspace of its own).
$script:SessionStates = @{}
function Get-EndpointSessionState {
    param([string]$ConfigurationName, $Endpoint, [string[]]$Groups)
    if (-not $script:SessionStates.ContainsKey($ConfigurationName)) {
        $verifier = [Func[string, bool]] { param($group) $Groups -contains $group }.GetNewClosure()
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateFromSessionConfigurationFile($Endpoint.pssc, $verifier)
        $script:SessionStates[$ConfigurationName] = $iss
    }
    $script:SessionStates[$ConfigurationName]
}

# Opens the endpoint's runspace on a host, or returns the ErrorRecord WinRM would give.
function Open-EndpointRunspace {
    param([string]$ComputerName, [string]$ConfigurationName)
    $labHost = Get-LabHost -ComputerName $ComputerName
    if (-not $labHost -or $labHost.State.failure -eq 'unreachable') {
        return New-TransportError $ComputerName 'CannotConnect' 'WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer.'
    }
    if ($labHost.State.failure -eq 'hang') { Start-Sleep -Seconds 3600 }
    Wait-ModelledLatency -Kind sessionMs -LabHost $labHost
    $endpoint = $script:Lab.endpoints[$ConfigurationName]
    $registered = @($labHost.State.endpoints | Where-Object { $_ })
    if (-not $endpoint -or ($registered.Count -gt 0 -and $registered -notcontains $ConfigurationName)) {
        return New-TransportError $ComputerName 'InvalidResourceUri' "The WS-Management service cannot process the request. Cannot find the $ConfigurationName session configuration in the WSMan: drive on the $ComputerName computer."
    }
    $groups = @($script:Lab.relayGroups)
    if ($labHost.State.failure -eq 'access-denied' -or -not ($groups -contains $endpoint.group)) {
        return New-TransportError $ComputerName 'AccessDenied' 'Access is denied.'
    }
    $saved = $env:PSModulePath
    $env:PSModulePath = $script:Lab.modulePath + [System.IO.Path]::PathSeparator + $saved
    try {
        $rs = [runspacefactory]::CreateRunspace((Get-EndpointSessionState -ConfigurationName $ConfigurationName -Endpoint $endpoint -Groups $groups))
        $rs.Open()
    } finally {
        $env:PSModulePath = $saved
    }
    [TriageLab.Stubs.LabState]::Bind($rs.InstanceId, $labHost.StateFile)
    [System.IO.File]::AppendAllText((Join-Path $env:TRIAGE_PWSH_LAB 'sessions.jsonl'), (ConvertTo-Json -Compress -InputObject ([ordered]@{ computerName = $ComputerName; configurationName = $ConfigurationName; pid = $PID })) + "`n")
    [pscustomobject]@{ Runspace = $rs; Host = $labHost; ConfigurationName = $ConfigurationName }
}

# PowerShell's own type data picks its branch by the OS it runs on: Win32_QuickFixEngineering's
# InstalledOn script property parses the CIM string into a DateTime only on Windows (build 7000
# and later) and tries a FILETIME elsewhere. Objects are serialized here, in this process, as the
# node would serialize them (the roles' own functions never read that member), so this process
# gets the Windows branch of that same member, which is also what a Windows relay host has.
$qfe = [System.Management.Automation.Runspaces.TypeData]::new('Microsoft.Management.Infrastructure.CimInstance#root/cimv2/Win32_QuickFixEngineering')
$qfe.Members.Add('InstalledOn', [System.Management.Automation.Runspaces.ScriptPropertyData]::new('InstalledOn', { [DateTime]::Parse($this.psBase.CimInstanceProperties['InstalledOn'].Value, [System.Globalization.DateTimeFormatInfo]::new()) }))
Update-TypeData -TypeData $qfe -Force

# What Invoke-Command does with a script block for a remote pipeline: $using: values taken from
# the caller, then conversion to commands; when conversion is impossible, the text goes instead.
function ConvertTo-RemotePipeline {
    param([scriptblock]$ScriptBlock, [System.Management.Automation.SessionState]$CallerState, [object[]]$ArgumentList)
    $values = [System.Collections.Generic.Dictionary[string, object]]::new([StringComparer]::OrdinalIgnoreCase)
    foreach ($u in $ScriptBlock.Ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.UsingExpressionAst] }, $true)) {
        $name = $u.SubExpression.VariablePath.UserPath
        $values[$name] = $CallerState.PSVariable.GetValue($name)
    }
    $usingOut = $null
    try {
        return $ScriptBlock.GetPowerShell($values, [ref]$usingOut, $true, $ArgumentList)
    } catch {
        return [powershell]::Create().AddScript($ScriptBlock.ToString())
    }
}

function Invoke-InEndpoint {
    param($Opened, [string]$ComputerName, [scriptblock]$ScriptBlock, $CallerState, [object[]]$ArgumentList, $Cmdlet)
    $ps = ConvertTo-RemotePipeline -ScriptBlock $ScriptBlock -CallerState $CallerState -ArgumentList $ArgumentList
    Write-CallLog -ComputerName $ComputerName -ConfigurationName $Opened.ConfigurationName -PowerShell $ps
    $ps.Runspace = $Opened.Runspace
    Wait-ModelledLatency -Kind callMs -LabHost $Opened.Host
    $saved = @{ PSModulePath = $env:PSModulePath; SystemRoot = $env:SystemRoot }
    $env:PSModulePath = $script:Lab.modulePath + [System.IO.Path]::PathSeparator + $saved.PSModulePath
    $env:SystemRoot = $Opened.Host.State.systemRoot
    # A node whose session prints to the host (a banner, a module's Write-Host): remoting shows
    # that text on the relay's console, which is the pool's stdout.
    if ($Opened.Host.State.hostOutput) { $Cmdlet.Host.UI.WriteLine([string]$Opened.Host.State.hostOutput) }
    [TriageLab.Stubs.LabState]::Enter($Opened.Host.StateFile)
    try {
        $output = $ps.Invoke()
        $failed = $null
    } catch {
        $inner = $_.Exception.InnerException
        $failed = if ($inner -is [System.Management.Automation.IContainsErrorRecord]) { $inner.ErrorRecord } else { [System.Management.Automation.ErrorRecord]::new($inner, 'RemoteInvocationFailed', 'NotSpecified', $null) }
        $output = @()
    } finally {
        [TriageLab.Stubs.LabState]::Leave()
        $env:PSModulePath = $saved.PSModulePath
        $env:SystemRoot = $saved.SystemRoot
    }
    foreach ($o in $output) {
        $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 1))
        if ($back -is [psobject] -or $back -isnot [valuetype]) { $back = [psobject]::AsPSObject($back) }
        foreach ($note in @(@('PSComputerName', $ComputerName), @('RunspaceId', $Opened.Runspace.InstanceId), @('PSShowComputerName', $true))) {
            # A CIM instance already has PSComputerName; remoting sets it, as here.
            $existing = $back.PSObject.Properties[$note[0]]
            if ($existing) { $existing.Value = $note[1] } else { $back.PSObject.Properties.Add([psnoteproperty]::new($note[0], $note[1])) }
        }
        $Cmdlet.WriteObject($back)
    }
    foreach ($e in $ps.Streams.Error) { $Cmdlet.WriteError($e) }
    $ps.Dispose()
    if ($failed) { $Cmdlet.WriteError($failed) }
}

# What the node received, for the tests: the converted commands, or the script text.
function Write-CallLog {
    param([string]$ComputerName, [string]$ConfigurationName, [powershell]$PowerShell)
    $commands = @($PowerShell.Commands.Commands)
    $isScript = $commands.Count -eq 1 -and $commands[0].IsScript
    $converted = [System.Collections.Generic.List[object]]::new()
    if (-not $isScript) {
        foreach ($c in $commands) {
            $parameters = [System.Collections.Generic.List[object]]::new()
            foreach ($p in $c.Parameters) { $parameters.Add([ordered]@{ name = $p.Name; value = $p.Value }) }
            $converted.Add([ordered]@{ name = $c.CommandText; parameters = $parameters })
        }
    }
    $entry = [ordered]@{
        computerName = $ComputerName
        configurationName = $ConfigurationName
        pid = $PID
        commands = if ($isScript) { $null } else { , $converted }
        script = if ($isScript) { $commands[0].CommandText } else { $null }
    }
    $line = ConvertTo-Json -InputObject $entry -Compress -Depth 6
    [System.IO.File]::AppendAllText($script:Lab.callLog, $line + "`n")
}

function Close-EndpointRunspace {
    param($Opened)
    [TriageLab.Stubs.LabState]::Unbind($Opened.Runspace.InstanceId)
    $Opened.Runspace.Dispose()
}

function Invoke-Command {
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    param(
        [Parameter(ParameterSetName = 'ComputerName', Mandatory = $true, Position = 0)][string[]]$ComputerName,
        [Parameter(ParameterSetName = 'ComputerName')][string]$ConfigurationName = 'Microsoft.PowerShell',
        [Parameter(ParameterSetName = 'Session', Mandatory = $true, Position = 0)][object[]]$Session,
        [Parameter(ParameterSetName = 'ComputerName', Mandatory = $true, Position = 1)]
        [Parameter(ParameterSetName = 'Session', Mandatory = $true, Position = 1)]
        [Parameter(ParameterSetName = 'Local', Mandatory = $true, Position = 0)]
        [scriptblock]$ScriptBlock,
        [object[]]$ArgumentList
    )
    if ($PSCmdlet.ParameterSetName -eq 'Local') {
        return & $ScriptBlock @ArgumentList
    }
    $caller = $PSCmdlet.SessionState
    if ($PSCmdlet.ParameterSetName -eq 'Session') {
        foreach ($s in $Session) {
            $opened = $script:Sessions[$s.Id]
            if (-not $opened) { $PSCmdlet.WriteError((New-TransportError $s.ComputerName 'InvalidSessionState' 'The session is closed.')); continue }
            # A node that went down since the session opened breaks it, as WinRM does.
            $now = Get-LabHost -ComputerName $s.ComputerName
            if (-not $now -or $now.State.failure -eq 'unreachable') {
                $script:Sessions.Remove($s.Id)
                Close-EndpointRunspace $opened
                $PSCmdlet.WriteError((New-TransportError $s.ComputerName 'JobFailure' 'The WinRM client cannot process the request because the server name cannot be resolved.'))
                continue
            }
            Invoke-InEndpoint -Opened $opened -ComputerName $s.ComputerName -ScriptBlock $ScriptBlock -CallerState $caller -ArgumentList $ArgumentList -Cmdlet $PSCmdlet
        }
        return
    }
    foreach ($c in $ComputerName) {
        $opened = Open-EndpointRunspace -ComputerName $c -ConfigurationName $ConfigurationName
        if ($opened -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($opened); continue }
        try {
            Invoke-InEndpoint -Opened $opened -ComputerName $c -ScriptBlock $ScriptBlock -CallerState $caller -ArgumentList $ArgumentList -Cmdlet $PSCmdlet
        } finally {
            Close-EndpointRunspace $opened
        }
    }
}

function New-PSSession {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string[]]$ComputerName,
        [string]$ConfigurationName = 'Microsoft.PowerShell'
    )
    foreach ($c in $ComputerName) {
        $opened = Open-EndpointRunspace -ComputerName $c -ConfigurationName $ConfigurationName
        if ($opened -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($opened); continue }
        $id = $script:NextSessionId++
        $script:Sessions[$id] = $opened
        [pscustomobject]@{ PSTypeName = 'TriageLab.EmulatedPSSession'; Id = $id; ComputerName = $c; ConfigurationName = $ConfigurationName; State = 'Opened' }
    }
}

function Remove-PSSession {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)][object[]]$Session)
    process {
        foreach ($s in $Session) {
            $opened = $script:Sessions[$s.Id]
            if ($opened) { $script:Sessions.Remove($s.Id); Close-EndpointRunspace $opened }
        }
    }
}

Export-ModuleMember -Function Invoke-Command, New-PSSession, Remove-PSSession
