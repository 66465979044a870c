// Stub of the FailoverClusters module (learn.microsoft.com/powershell/module/failoverclusters):
// Get-ClusterNode, Get-ClusterGroup, Get-ClusterResource, Move-ClusterVirtualMachineRole, with
// their documented parameter sets and output types, answering from the emulated node's state
// (its cluster's node list and its clustered VMs).
#nullable enable
using System;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using TriageLab.Stubs;

namespace Microsoft.FailoverClusters.PowerShell
{
    public enum ClusterNodeState { Unknown = -1, Up = 0, Down = 1, Paused = 2, Joining = 3 }
    public enum ClusterGroupState { Unknown = -1, Online = 0, Offline = 1, Failed = 2, PartialOnline = 3, Pending = 4 }
    public enum ClusterResourceState { Unknown = -1, Inherited = 0, Initializing = 1, Online = 2, Offline = 3, Failed = 4, Pending = 128, OnlinePending = 129, OfflinePending = 130 }
    public enum VmMigrationType { TurnOff = 0, Quick = 1, Shutdown = 2, ShutdownForce = 3, Live = 4 }

    public sealed class Cluster
    {
        public string Name { get; set; } = "";
        public string Domain { get; set; } = "";
        public override string ToString() => Name;
    }

    public sealed class ClusterNode
    {
        public string Name { get; set; } = "";
        public string NodeName => Name;
        public string Id { get; set; } = "";
        public ClusterNodeState State { get; set; }
        public Cluster Cluster { get; set; } = new Cluster();
        public override string ToString() => Name;
    }

    public sealed class ClusterGroup
    {
        public string Name { get; set; } = "";
        public ClusterNode OwnerNode { get; set; } = new ClusterNode();
        public ClusterGroupState State { get; set; }
        public Cluster Cluster { get; set; } = new Cluster();
        public override string ToString() => Name;
    }

    public sealed class ClusterResourceType
    {
        public string Name { get; set; } = "";
        public override string ToString() => Name;
    }

    public sealed class ClusterResource
    {
        public string Name { get; set; } = "";
        public ClusterResourceType ResourceType { get; set; } = new ClusterResourceType();
        public ClusterGroup OwnerGroup { get; set; } = new ClusterGroup();
        public ClusterNode OwnerNode { get; set; } = new ClusterNode();
        public ClusterResourceState State { get; set; }
        public override string ToString() => Name;
    }
}

namespace Microsoft.FailoverClusters.PowerShell.Commands
{
    using Microsoft.FailoverClusters.PowerShell;

    internal static class ClusterMap
    {
        public static Cluster ClusterOf(JsonObject s)
        {
            var c = s["cluster"] as JsonObject ?? throw new InvalidOperationException("The cluster service is not running on this node (it is not a cluster node).");
            return new Cluster { Name = LabState.Str(c["Name"]), Domain = LabState.Str(s["domain"]) };
        }

        public static ClusterNode[] Nodes(JsonObject s)
        {
            var cluster = ClusterOf(s);
            return LabState.Arr(s["cluster"]!["Nodes"]).Select((n, i) => new ClusterNode
            {
                Name = LabState.Str(n!["Name"]),
                Id = (i + 1).ToString(),
                State = Enum.Parse<ClusterNodeState>(LabState.Str(n["State"], "Up"), true),
                Cluster = cluster,
            }).ToArray();
        }

        public static ClusterGroup[] VmGroups(JsonObject s)
        {
            var cluster = ClusterOf(s);
            var self = Nodes(s).FirstOrDefault(n => string.Equals(n.Name, LabState.Str(s["name"]), StringComparison.OrdinalIgnoreCase)) ?? new ClusterNode { Name = LabState.Str(s["name"]), Cluster = cluster };
            return LabState.Arr(s["vms"]).Where(v => LabState.Bool(v!["IsClustered"]))
                .Select(v => new ClusterGroup { Name = LabState.Str(v!["Name"]), OwnerNode = self, State = ClusterGroupState.Online, Cluster = cluster }).ToArray();
        }

        public static bool Matches(StringCollection? names, string name)
            => names == null || names.Count == 0 || names.Cast<string>().Any(n => new WildcardPattern(n, WildcardOptions.IgnoreCase).IsMatch(name));
    }

    public abstract class ClusterCmdlet : PSCmdlet
    {
        [Parameter(ValueFromPipeline = true)] public PSObject? InputObject { get; set; }
        [Parameter] public string? Cluster { get; set; }

        protected JsonObject State()
        {
            try { return LabState.Read(this); }
            catch (Exception e) { ThrowTerminatingError(new ErrorRecord(e, "ClusterStateUnavailable", ErrorCategory.ResourceUnavailable, null)); throw; }
        }

        protected T Guard<T>(Func<T> f)
        {
            try { return f(); }
            catch (InvalidOperationException e) { ThrowTerminatingError(new ErrorRecord(e, "ClusterServiceNotRunning", ErrorCategory.ResourceUnavailable, null)); throw; }
        }
    }

    [Cmdlet(VerbsCommon.Get, "ClusterNode")]
    [OutputType(typeof(ClusterNode))]
    public sealed class GetClusterNodeCommand : ClusterCmdlet
    {
        [Parameter(Position = 0)] public StringCollection? Name { get; set; }

        protected override void ProcessRecord()
        {
            var s = State();
            WriteObject(Guard(() => ClusterMap.Nodes(s)).Where(n => ClusterMap.Matches(Name, n.Name)), true);
        }
    }

    [Cmdlet(VerbsCommon.Get, "ClusterGroup")]
    [OutputType(typeof(ClusterGroup))]
    public sealed class GetClusterGroupCommand : ClusterCmdlet
    {
        [Parameter(Position = 0)] public StringCollection? Name { get; set; }

        protected override void ProcessRecord()
        {
            var s = State();
            WriteObject(Guard(() => ClusterMap.VmGroups(s)).Where(g => ClusterMap.Matches(Name, g.Name)), true);
        }
    }

    [Cmdlet(VerbsCommon.Get, "ClusterResource")]
    [OutputType(typeof(ClusterResource))]
    public sealed class GetClusterResourceCommand : ClusterCmdlet
    {
        [Parameter(Position = 0)] public StringCollection? Name { get; set; }

        protected override void ProcessRecord()
        {
            var s = State();
            var resources = Guard(() => ClusterMap.VmGroups(s)).Select(g => new ClusterResource
            {
                Name = $"Virtual Machine {g.Name}",
                ResourceType = new ClusterResourceType { Name = "Virtual Machine" },
                OwnerGroup = g,
                OwnerNode = g.OwnerNode,
                State = ClusterResourceState.Online,
            });
            WriteObject(resources.Where(r => ClusterMap.Matches(Name, r.Name)), true);
        }
    }

    [Cmdlet(VerbsCommon.Move, "ClusterVirtualMachineRole")]
    [OutputType(typeof(ClusterGroup))]
    public sealed class MoveClusterVirtualMachineRoleCommand : ClusterCmdlet
    {
        [Parameter(Position = 0)] public string? Name { get; set; }
        [Parameter(Position = 1)] public string? Node { get; set; }
        [Parameter] public VmMigrationType MigrationType { get; set; } = VmMigrationType.Live;
        [Parameter] public SwitchParameter Cancel { get; set; }
        [Parameter] public int Wait { get; set; }

        protected override void ProcessRecord()
        {
            var s = State();
            var group = Guard(() => ClusterMap.VmGroups(s)).FirstOrDefault(g => string.Equals(g.Name, Name, StringComparison.OrdinalIgnoreCase));
            if (group == null)
            {
                ThrowTerminatingError(LabState.NotFound("ClusterGroupNotFound,Microsoft.FailoverClusters.PowerShell.MoveClusterVirtualMachineRoleCommand", $"The cluster group '{Name}' was not found.", Name));
                return;
            }
            var failure = s["clusterMoveFailure"];
            if (failure != null)
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(LabState.Str(failure["Message"])), "MoveFailed,Microsoft.FailoverClusters.PowerShell.MoveClusterVirtualMachineRoleCommand", ErrorCategory.NotSpecified, Name));
            WriteObject(group);
        }
    }
}
