// Stub of Microsoft.PowerShell.Diagnostics\Get-WinEvent: -LogName and -FilterHashtable (LogName,
// StartTime, EndTime, Id, ProviderName), -MaxEvents, -Oldest; EventLogRecord-shaped events from
// the emulated node's event list, newest first, NoMatchingEventsFound when none match.
#nullable enable
using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using TriageLab.Stubs;

namespace System.Diagnostics.Eventing.Reader
{
    /// <summary>The stub's event: the EventLogRecord properties the relay's role reads.</summary>
    public sealed class EventLogRecord
    {
        public int Id { get; set; }
        public string LogName { get; set; } = "";
        public string ProviderName { get; set; } = "";
        public DateTime? TimeCreated { get; set; }
        public byte? Level { get; set; }
        public string LevelDisplayName { get; set; } = "";
        public string MachineName { get; set; } = "";
        public long? RecordId { get; set; }
        public string Message { get; set; } = "";
        /// <summary>The event's named EventData values (Security 4768/4769/4771 on a DC: TargetUserName, ServiceName, Status...).</summary>
        public System.Collections.Generic.Dictionary<string, string> EventData { get; set; } = new();

        /// <summary>The event as XML, as EventLogRecord.ToXml() gives it: only System/EventID and EventData are filled.</summary>
        public string ToXml()
        {
            var data = string.Concat(EventData.Select(kv => $"<Data Name='{System.Security.SecurityElement.Escape(kv.Key)}'>{System.Security.SecurityElement.Escape(kv.Value)}</Data>"));
            return $"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>{Id}</EventID></System><EventData>{data}</EventData></Event>";
        }
    }
}

namespace Microsoft.PowerShell.Commands
{
    using System.Diagnostics.Eventing.Reader;

    [Cmdlet(VerbsCommon.Get, "WinEvent", DefaultParameterSetName = "GetLogSet")]
    [OutputType(typeof(EventLogRecord))]
    public sealed class GetWinEventCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "GetLogSet", Position = 0)] public string[]? LogName { get; set; }
        [Parameter(ParameterSetName = "HashQuerySet", Position = 0, Mandatory = true)] public Hashtable[]? FilterHashtable { get; set; }
        [Parameter] public long MaxEvents { get; set; } = -1;
        [Parameter(ParameterSetName = "GetLogSet")] public string? FilterXPath { get; set; }
        [Parameter] public string? ComputerName { get; set; }
        [Parameter] public SwitchParameter Oldest { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            var all = LabState.Arr(s["events"]).Select(e => new EventLogRecord
            {
                Id = (int)LabState.Num(e!["Id"]),
                LogName = LabState.Str(e["LogName"]),
                ProviderName = LabState.Str(e["ProviderName"], "Microsoft-Windows-Hyper-V-VMMS"),
                TimeCreated = DateTime.Parse(LabState.Str(e["TimeCreated"]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).ToLocalTime(),
                Level = (byte)LabState.Num(e["Level"], 2),
                LevelDisplayName = LabState.Num(e["Level"], 2) == 2 ? "Error" : "Information",
                MachineName = LabState.Str(s["fqdn"]),
                RecordId = (long)LabState.Num(e["RecordId"], 1),
                Message = LabState.Str(e["Message"]),
                EventData = e["EventData"] is JsonObject d ? d.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") : new(),
            });
            var hits = all.Where(Matches).OrderByDescending(e => e.TimeCreated).ToList();
            if (Oldest) hits.Reverse();
            if (MaxEvents > 0) hits = hits.Take((int)MaxEvents).ToList();
            if (hits.Count == 0)
            {
                WriteError(new ErrorRecord(new Exception("No events were found that match the specified selection criteria."), "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand", ErrorCategory.ObjectNotFound, null));
                return;
            }
            WriteObject(hits, true);
        }

        private bool Matches(EventLogRecord e)
        {
            if (LogName != null) return LogName.Any(l => string.Equals(l, e.LogName, StringComparison.OrdinalIgnoreCase));
            if (FilterHashtable == null) return true;
            return FilterHashtable.Any(h =>
            {
                foreach (DictionaryEntry kv in h)
                {
                    var key = kv.Key.ToString()!.ToLowerInvariant();
                    var value = kv.Value is PSObject p ? p.BaseObject : kv.Value;
                    bool ok = key switch
                    {
                        "logname" => AsList(value).Any(l => string.Equals(l?.ToString(), e.LogName, StringComparison.OrdinalIgnoreCase)),
                        "starttime" => e.TimeCreated >= Convert.ToDateTime(value, CultureInfo.InvariantCulture),
                        "endtime" => e.TimeCreated <= Convert.ToDateTime(value, CultureInfo.InvariantCulture),
                        "id" => AsList(value).Any(i => Convert.ToInt32(i is PSObject pi ? pi.BaseObject : i, CultureInfo.InvariantCulture) == e.Id),
                        "providername" => AsList(value).Any(n => string.Equals(n?.ToString(), e.ProviderName, StringComparison.OrdinalIgnoreCase)),
                        _ => throw new ArgumentException($"The {kv.Key} key is not valid in a hashtable filter of this stub."),
                    };
                    if (!ok) return false;
                }
                return true;
            });
        }

        private static object?[] AsList(object? v) => v is IEnumerable en && v is not string ? en.Cast<object?>().ToArray() : new[] { v };
    }
}
