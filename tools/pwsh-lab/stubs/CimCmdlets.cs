// Stub of CimCmdlets\Get-CimInstance for the classes the roles read (Win32_OperatingSystem,
// Win32_DeviceGuard, Win32_QuickFixEngineering, Win32_NTDomain), shaped as CIM instances so that
// PowerShell's own type data for those classes applies.
#nullable enable
using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using TriageLab.Stubs;

namespace Microsoft.Management.Infrastructure.CimCmdlets
{
    /// <summary>The part of a CimInstance that PowerShell's CIM type data reads.</summary>
    public sealed class CimInstanceStub
    {
        public CimInstanceStub(string cls, string ns) { CimClass = $"{ns.Replace('\\', '/')}:{cls}"; }
        public string CimClass { get; }
        public System.Collections.Generic.Dictionary<string, CimPropertyStub> CimInstanceProperties { get; } = new System.Collections.Generic.Dictionary<string, CimPropertyStub>(StringComparer.OrdinalIgnoreCase);
        public override string ToString() => CimClass;
    }

    public sealed class CimPropertyStub
    {
        public CimPropertyStub(string name, object? value) { Name = name; Value = value; }
        public string Name { get; }
        public object? Value { get; }
        public override string ToString() => $"{Name} = {Value}";
    }

    [Cmdlet(VerbsCommon.Get, "CimInstance", DefaultParameterSetName = "ClassNameComputerSet")]
    public sealed class GetCimInstanceCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "ClassNameComputerSet", Position = 0, Mandatory = true)] public string ClassName { get; set; } = "";
        [Parameter(ParameterSetName = "QueryComputerSet", Mandatory = true)] public string? Query { get; set; }
        [Parameter] public string Namespace { get; set; } = @"root\cimv2";
        [Parameter] public string[]? ComputerName { get; set; }
        [Parameter(ParameterSetName = "ClassNameComputerSet")] public string? Filter { get; set; }
        [Parameter(ParameterSetName = "ClassNameComputerSet")] public string[]? Property { get; set; }
        [Parameter] public uint OperationTimeoutSec { get; set; }
        [Parameter] public SwitchParameter Shallow { get; set; }

        protected override void ProcessRecord()
        {
            if (Query != null) ThrowTerminatingError(new ErrorRecord(new NotSupportedException("the stub answers class reads only"), "QueryNotEmulated", ErrorCategory.NotImplemented, Query));
            var s = LabState.Read(this);
            var key = (Namespace.ToLowerInvariant(), ClassName.ToLowerInvariant());
            switch (key)
            {
                case (@"root\cimv2", "win32_operatingsystem"): WriteObject(Instance(ClassName, Namespace, s["os"] as JsonObject)); break;
                case (@"root\microsoft\windows\deviceguard", "win32_deviceguard"): WriteObject(Instance(ClassName, Namespace, s["deviceGuard"] as JsonObject)); break;
                case (@"root\cimv2", "win32_ntdomain"):
                    // The node's own domain, with the DC it uses (\\DC01 as WMI writes it) and the
                    // node's site (ClientSiteName; null when none is known, as WMI leaves it).
                    WriteObject(Instance(ClassName, Namespace, new JsonObject { ["Name"] = "Domain: " + LabState.Str(s["domain"]).Split('.')[0].ToUpperInvariant(), ["DnsForestName"] = LabState.Str(s["domain"]), ["DomainControllerName"] = @"\\" + LabState.Str(s["dc"]), ["ClientSiteName"] = s["site"] == null ? null : LabState.Str(s["site"]) }));
                    break;
                case (@"root\cimv2", "win32_networkadapterconfiguration"):
                    // One adapter with the node's addresses, and one without IP (as a real host has).
                    WriteObject(Instance(ClassName, Namespace, new JsonObject { ["Index"] = 1.0, ["Description"] = "Microsoft Hyper-V Network Adapter", ["IPEnabled"] = true, ["IPAddress"] = new JsonArray(LabState.Arr(s["addresses"]).Select(x => (JsonNode?)JsonValue.Create(LabState.Str(x))).ToArray()) }));
                    WriteObject(Instance(ClassName, Namespace, new JsonObject { ["Index"] = 2.0, ["Description"] = "WAN Miniport (IP)", ["IPEnabled"] = false }));
                    break;
                case (@"root\cimv2", "win32_quickfixengineering"):
                    foreach (var h in LabState.Arr(s["hotfixes"])) WriteObject(Instance(ClassName, Namespace, h as JsonObject));
                    break;
                default:
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Invalid class {ClassName} in namespace {Namespace}"), "HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand", ErrorCategory.MetadataError, ClassName));
                    break;
            }
        }

        /// <summary>
        /// A CIM instance as PowerShell shows one: the CIM type names (so PowerShell's own
        /// types.ps1xml members apply, e.g. Win32_QuickFixEngineering's InstalledOn script
        /// property, which parses the raw string through psBase.CimInstanceProperties) and the
        /// CIM properties as properties, except where a types.ps1xml member of the class wins.
        /// </summary>
        private PSObject Instance(string cls, string ns, JsonObject? values)
        {
            var bag = new CimInstanceStub(cls, ns);
            foreach (var (k, v) in values ?? new JsonObject())
            {
                object? value = v switch
                {
                    null => null,
                    JsonArray a when a.All(x => x is JsonValue jv && jv.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToArray(),
                    JsonArray a => a.Select(x => (uint)x!.GetValue<double>()).ToArray(),
                    JsonValue j when j.TryGetValue<string>(out var str) => str,
                    JsonValue j when j.TryGetValue<bool>(out var b) => b,
                    _ => (uint)v.GetValue<double>(),
                };
                bag.CimInstanceProperties[k] = new CimPropertyStub(k, value);
            }
            var o = new PSObject(bag);
            o.TypeNames.Clear();
            o.TypeNames.Add($"Microsoft.Management.Infrastructure.CimInstance#{ns.Replace('\\', '/')}/{cls}");
            o.TypeNames.Add($"Microsoft.Management.Infrastructure.CimInstance#{cls}");
            o.TypeNames.Add("Microsoft.Management.Infrastructure.CimInstance");
            var typeMembers = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var m in o.Members) typeMembers.Add(m.Name);
            foreach (var (k, p) in bag.CimInstanceProperties)
                if (!typeMembers.Contains(k)) o.Properties.Add(new PSNoteProperty(k, p.Value));
            o.Properties.Add(new PSNoteProperty("PSComputerName", null));
            return o;
        }
    }
}

