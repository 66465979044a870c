// Stub of the Hyper-V module: the cmdlets the relay's JEA roles expose or call, with the
// parameter sets and output types of Microsoft's documentation (learn.microsoft.com/powershell/
// module/hyper-v), answering from the emulated host's state. Parameters the stubs do not act on
// are still declared, so a call the real cmdlet would refuse for its syntax is refused here too.
#nullable enable
using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using TriageLab.Stubs;

namespace Microsoft.HyperV.PowerShell
{
    public enum MigrationAuthenticationType { CredSSP = 0, Kerberos = 1 }
    public enum VMMigrationPerformance { TCPIP = 0, Compression = 1, SMB = 2 }
    public enum VMState { Other = 1, Running = 2, Off = 3, Stopping = 4, Saved = 6, Paused = 9, Starting = 10, Reset = 11, Saving = 32773, Pausing = 32776, Resuming = 32777, FastSaved = 32779, FastSaving = 32780 }

    public sealed class VMHost
    {
        public string ComputerName { get; set; } = "";
        public string Name { get; set; } = "";
        public string FullyQualifiedDomainName { get; set; } = "";
        public bool VirtualMachineMigrationEnabled { get; set; }
        public MigrationAuthenticationType VirtualMachineMigrationAuthenticationType { get; set; }
        public VMMigrationPerformance VirtualMachineMigrationPerformanceOption { get; set; }
        public uint MaximumVirtualMachineMigrations { get; set; }
        public uint MaximumStorageMigrations { get; set; }
        public bool UseAnyNetworkForMigration { get; set; }
        public string VirtualMachinePath { get; set; } = "";
        public string VirtualHardDiskPath { get; set; } = "";
    }

    public sealed class VirtualMachine
    {
        public string Name { get; set; } = "";
        public string VMName => Name;
        public Guid Id { get; set; }
        public VMState State { get; set; }
        public bool IsClustered { get; set; }
        public string ComputerName { get; set; } = "";
        public string Path { get; set; } = "";
        public string ConfigurationLocation { get; set; } = "";
        public string SnapshotFileLocation { get; set; } = "";
        public System.Collections.Generic.List<HardDiskDrive> HardDrives { get; set; } = new System.Collections.Generic.List<HardDiskDrive>();
        public override string ToString() => $"VirtualMachine (Name = '{Name}') [Id = '{Id}']";
    }

    public sealed class HardDiskDrive
    {
        public string VMName { get; set; } = "";
        public string Path { get; set; } = "";
        public override string ToString() => $"HardDiskDrive (Name = 'Hard Drive', VMName = '{VMName}')";
    }

    public sealed class VMMigrationNetwork
    {
        public string ComputerName { get; set; } = "";
        public string Subnet { get; set; } = "";
        public uint Priority { get; set; }
    }
}

namespace Microsoft.HyperV.PowerShell.Commands
{
    using Microsoft.HyperV.PowerShell;

    internal static class HostMap
    {
        /// <summary>The error the Hyper-V cmdlets raise when vmms is not running.</summary>
        public static void ThrowIfVmmsStopped(PSCmdlet cmdlet, JsonObject s)
        {
            if (!LabState.Bool(s["vmmsStopped"])) return;
            var ex = new InvalidOperationException("The Hyper-V Virtual Machine Management service is not running on this host.");
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVM", ErrorCategory.ObjectNotFound, null));
        }

        public static VMHost ToVMHost(JsonObject s)
        {
            var h = s["vmHost"]?.AsObject() ?? new JsonObject();
            return new VMHost
            {
                ComputerName = LabState.Str(s["name"]),
                Name = LabState.Str(s["name"]),
                FullyQualifiedDomainName = LabState.Str(s["fqdn"]),
                VirtualMachineMigrationEnabled = LabState.Bool(h["VirtualMachineMigrationEnabled"], true),
                VirtualMachineMigrationAuthenticationType = Enum.Parse<MigrationAuthenticationType>(LabState.Str(h["VirtualMachineMigrationAuthenticationType"], "Kerberos"), true),
                VirtualMachineMigrationPerformanceOption = Enum.Parse<VMMigrationPerformance>(LabState.Str(h["VirtualMachineMigrationPerformanceOption"], "Compression"), true),
                MaximumVirtualMachineMigrations = (uint)LabState.Num(h["MaximumVirtualMachineMigrations"], 2),
                MaximumStorageMigrations = (uint)LabState.Num(h["MaximumStorageMigrations"], 2),
                UseAnyNetworkForMigration = LabState.Bool(h["UseAnyNetworkForMigration"]),
                VirtualMachinePath = @"C:\ProgramData\Microsoft\Windows\Hyper-V",
                VirtualHardDiskPath = @"C:\ProgramData\Microsoft\Windows\Virtual Hard Disks",
            };
        }

        /// <summary>
        /// A VM from the state: StoragePaths (first: configuration and checkpoints, the rest: virtual
        /// disks), else a local default layout.
        /// </summary>
        public static VirtualMachine ToVM(JsonObject s, JsonNode vm)
        {
            var name = LabState.Str(vm["Name"]);
            var paths = LabState.Arr(vm["StoragePaths"]).Select(p => LabState.Str(p)).ToList();
            var config = paths.Count > 0 ? paths[0] : @"C:\ProgramData\Microsoft\Windows\Hyper-V";
            var disks = paths.Count > 1 ? paths.Skip(1).ToList() : paths.Count == 1 ? new System.Collections.Generic.List<string>() : new System.Collections.Generic.List<string> { $@"C:\ProgramData\Microsoft\Windows\Virtual Hard Disks\{name}.vhdx" };
            return new VirtualMachine
            {
                Name = name,
                Id = Guid.TryParse(LabState.Str(vm["Id"]), out var id) ? id : Guid.Empty,
                State = Enum.Parse<VMState>(LabState.Str(vm["State"], "Running"), true),
                IsClustered = LabState.Bool(vm["IsClustered"]),
                ComputerName = LabState.Str(s["name"]),
                Path = config,
                ConfigurationLocation = config,
                SnapshotFileLocation = config,
                HardDrives = disks.Select(d => new HardDiskDrive { VMName = name, Path = d }).ToList(),
            };
        }
    }

    [Cmdlet(VerbsCommon.Get, "VMHost", DefaultParameterSetName = "ComputerName")]
    [OutputType(typeof(VMHost))]
    public sealed class GetVMHostCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "ComputerName", Position = 0)] public string[]? ComputerName { get; set; }
        [Parameter(ParameterSetName = "ComputerName")] public PSCredential[]? Credential { get; set; }
        [Parameter(ParameterSetName = "CimSession", Mandatory = true)] public object[]? CimSession { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            HostMap.ThrowIfVmmsStopped(this, s);
            WriteObject(HostMap.ToVMHost(s));
        }
    }

    [Cmdlet(VerbsCommon.Set, "VMHost", DefaultParameterSetName = "ComputerName", SupportsShouldProcess = true)]
    [OutputType(typeof(VMHost))]
    public sealed class SetVMHostCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "ComputerName", Position = 0)] public string[]? ComputerName { get; set; }
        [Parameter(ParameterSetName = "ComputerName")] public PSCredential[]? Credential { get; set; }
        [Parameter] public uint MaximumStorageMigrations { get; set; }
        [Parameter] public uint MaximumVirtualMachineMigrations { get; set; }
        [Parameter] public MigrationAuthenticationType VirtualMachineMigrationAuthenticationType { get; set; }
        [Parameter] public VMMigrationPerformance VirtualMachineMigrationPerformanceOption { get; set; }
        [Parameter] public bool UseAnyNetworkForMigration { get; set; }
        [Parameter] public string? VirtualHardDiskPath { get; set; }
        [Parameter] public string? VirtualMachinePath { get; set; }
        [Parameter] public SwitchParameter Passthru { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            var h = s["vmHost"] as JsonObject ?? new JsonObject();
            s["vmHost"] = h;
            if (!ShouldProcess(LabState.Str(s["name"]), "Set-VMHost")) return;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(VirtualMachineMigrationAuthenticationType)))
                h["VirtualMachineMigrationAuthenticationType"] = VirtualMachineMigrationAuthenticationType.ToString();
            if (MyInvocation.BoundParameters.ContainsKey(nameof(VirtualMachineMigrationPerformanceOption)))
                h["VirtualMachineMigrationPerformanceOption"] = VirtualMachineMigrationPerformanceOption.ToString();
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumVirtualMachineMigrations))) h["MaximumVirtualMachineMigrations"] = MaximumVirtualMachineMigrations;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumStorageMigrations))) h["MaximumStorageMigrations"] = MaximumStorageMigrations;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(UseAnyNetworkForMigration))) h["UseAnyNetworkForMigration"] = UseAnyNetworkForMigration;
            LabState.Write(this, s);
            if (Passthru) WriteObject(HostMap.ToVMHost(s));
        }
    }

    [Cmdlet(VerbsCommon.Get, "VM", DefaultParameterSetName = "Name")]
    [OutputType(typeof(VirtualMachine))]
    public sealed class GetVMCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "Name", Position = 0, ValueFromPipeline = true)][SupportsWildcards] public string[]? Name { get; set; }
        [Parameter(ParameterSetName = "Id", Position = 0, Mandatory = true)] public Guid? Id { get; set; }
        [Parameter] public string[]? ComputerName { get; set; }
        [Parameter] public PSCredential[]? Credential { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            HostMap.ThrowIfVmmsStopped(this, s);
            var vms = LabState.Arr(s["vms"]).Select(v => HostMap.ToVM(s, v!)).ToList();
            if (Id.HasValue) { vms = vms.Where(v => v.Id == Id.Value).ToList(); }
            if (Name == null) { WriteObject(vms, true); return; }
            foreach (var n in Name)
            {
                var pattern = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                var hits = vms.Where(v => pattern.IsMatch(v.Name)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                    WriteError(LabState.NotFound("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM", $"Hyper-V was unable to find a virtual machine with name \"{n}\".", n));
                WriteObject(hits, true);
            }
        }
    }

    [Cmdlet(VerbsCommon.Move, "VM", DefaultParameterSetName = "NameSingleDestination", SupportsShouldProcess = true)]
    [OutputType(typeof(VirtualMachine))]
    public sealed class MoveVMCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "NameSingleDestination", Position = 0, Mandatory = true)] public string? Name { get; set; }
        [Parameter(ParameterSetName = "VMSingleDestination", Position = 0, Mandatory = true, ValueFromPipeline = true)] public VirtualMachine? VM { get; set; }
        [Parameter(Position = 1, Mandatory = true)] public string? DestinationHost { get; set; }
        [Parameter] public string[]? ComputerName { get; set; }
        [Parameter] public PSCredential[]? Credential { get; set; }
        [Parameter] public SwitchParameter IncludeStorage { get; set; }
        [Parameter] public string? DestinationStoragePath { get; set; }
        [Parameter] public string? VirtualMachinePath { get; set; }
        [Parameter] public SwitchParameter Passthru { get; set; }
        [Parameter] public SwitchParameter AsJob { get; set; }

        protected override void ProcessRecord()
        {
            // -ComputerName: the move is started off-box, on the named source (the relay host's own
            // Hyper-V tools); without it, on the host whose session runs this cmdlet.
            string? file = null;
            if (ComputerName != null && ComputerName.Length > 0)
            {
                file = LabState.FileOfHost(ComputerName[0]);
                var unreachable = file != null && LabState.Str(LabState.ReadFile(file)["failure"]) == "unreachable";
                if (file == null || unreachable)
                {
                    var ex = new InvalidOperationException($"The operation on computer '{ComputerName[0]}' failed: The WS-Management service cannot process the request because the computer could not be reached.");
                    ThrowTerminatingError(new ErrorRecord(ex, "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.MoveVM", ErrorCategory.ConnectionError, ComputerName[0]));
                }
            }
            var s = file != null ? LabState.ReadFile(file) : LabState.Read(this);
            var name = Name ?? VM!.Name;
            var vm = LabState.Arr(s["vms"]).FirstOrDefault(v => string.Equals(LabState.Str(v!["Name"]), name, StringComparison.OrdinalIgnoreCase));
            if (vm == null)
            {
                WriteError(LabState.NotFound("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.MoveVM", $"Hyper-V was unable to find a virtual machine with name \"{name}\".", name));
                return;
            }
            if (!ShouldProcess(name, $"Move-VM to {DestinationHost}")) return;
            // The outcome of a move is a fact of the scenario (the host knows whether the
            // destination will accept it): moveFailure set = the move fails with that message.
            var failure = s["moveFailure"];
            if (failure != null)
            {
                // What the hosts log as the move fails: the source's event (21502) and, when the
                // scenario says so, the destination's (22038); only known for an off-box start,
                // where both hosts are named.
                if (file != null && failure["Event"] != null) LabState.LogEvent(file, failure["Event"]!);
                var destinationFile = DestinationHost == null ? null : LabState.FileOfHost(DestinationHost);
                if (file != null && destinationFile != null && failure["DestinationEvent"] != null) LabState.LogEvent(destinationFile, failure["DestinationEvent"]!);
                var ex = new InvalidOperationException(LabState.Str(failure["Message"]));
                ThrowTerminatingError(new ErrorRecord(ex, "OperationFailed,Microsoft.HyperV.PowerShell.Commands.MoveVM", ErrorCategory.NotSpecified, name));
            }
            if (Passthru) WriteObject(HostMap.ToVM(s, vm));
        }
    }

    [Cmdlet(VerbsCommon.Get, "VMMigrationNetwork")]
    [OutputType(typeof(VMMigrationNetwork))]
    public sealed class GetVMMigrationNetworkCommand : PSCmdlet
    {
        [Parameter(Position = 0)][SupportsWildcards] public string? Subnet { get; set; }
        [Parameter] public string[]? ComputerName { get; set; }
        [Parameter] public PSCredential[]? Credential { get; set; }
        [Parameter] public uint? Priority { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            foreach (var n in LabState.Arr(s["migrationNetworks"]))
                WriteObject(new VMMigrationNetwork { ComputerName = LabState.Str(s["name"]), Subnet = LabState.Str(n!["Subnet"]), Priority = (uint)LabState.Num(n["Priority"]) });
        }
    }
}
