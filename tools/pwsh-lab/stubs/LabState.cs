// State of the emulated Windows hosts, shared by every stub cmdlet. Each emulated host is one
// JSON file (written by tools/pwsh-lab/host-state.ts from a lab scenario); the remoting
// emulation (WinRmJea.psm1) binds each JEA runspace it opens to one host's file. Files are read
// on every call and written back by the cmdlets that change a host (Set-VMHost, Move-VM, ...),
// so every PowerShell process of the relay's pool sees the same hosts.
#nullable enable
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TriageLab.Stubs
{
    public static class LabState
    {
        private static readonly ConcurrentDictionary<Guid, string> Bindings = new ConcurrentDictionary<Guid, string>();

        /// <summary>Binds a runspace (one emulated remote session) to a host's state file.</summary>
        public static void Bind(Guid runspaceId, string stateFile) { Bindings[runspaceId] = stateFile; }

        public static void Unbind(Guid runspaceId) { Bindings.TryRemove(runspaceId, out _); }

        /// <summary>
        /// The host whose session is running a command in this process right now (the emulation runs
        /// one at a time per process): what a runspace the node's own code opens (Resolve-HvLmName's
        /// lookup pool) answers from, as it would on that node.
        /// </summary>
        private static volatile string? current;

        public static void Enter(string stateFile) { current = stateFile; }

        public static void Leave() { current = null; }

        public static string FileOf(PSCmdlet? cmdlet)
        {
            var rs = Runspace.DefaultRunspace;
            if (rs != null && Bindings.TryGetValue(rs.InstanceId, out var file)) return file;
            var now = current;
            if (now != null) return now;
            throw new InvalidOperationException("stub cmdlet called outside an emulated remote session");
        }

        public static JsonObject Read(PSCmdlet cmdlet) => ReadCurrent();

        // A cmdlet run on the relay host itself with -ComputerName (Move-VM started off-box, as
        // Hyper-V's management tools do over WMI) reaches a host by name: WinRmJea.psm1 gives the
        // name → state file map of lab.json here.
        private static readonly ConcurrentDictionary<string, string> HostFiles = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public static void SetHost(string name, string stateFile) { HostFiles[name] = stateFile; }

        /// <summary>The state file a host name answers from, or null for a name no host has.</summary>
        public static string? FileOfHost(string name) => HostFiles.TryGetValue(name, out var file) ? file : null;

        public static JsonObject ReadFile(string file)
        {
            lock (Bindings) return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        }

        public static void WriteFile(string file, JsonObject state)
        {
            lock (Bindings)
            {
                var tmp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.WriteAllText(tmp, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                File.Move(tmp, file, true);
            }
        }

        /// <summary>Appends an event to a host's log as logged now (the host logs it during the move).</summary>
        public static void LogEvent(string file, JsonNode template)
        {
            var state = ReadFile(file);
            var events = state["events"] as JsonArray ?? new JsonArray();
            var e = template.DeepClone().AsObject();
            e["TimeCreated"] = DateTime.UtcNow.ToString("o");
            e["RecordId"] = events.Count + 1;
            events.Add(e);
            state["events"] = events;
            WriteFile(file, state);
        }

        /// <summary>The state of the host whose emulated session is running on this thread.</summary>
        public static JsonObject ReadCurrent()
        {
            var file = FileOf(null);
            lock (Bindings) return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        }

        public static void Write(PSCmdlet cmdlet, JsonObject state)
        {
            var file = FileOf(cmdlet);
            lock (Bindings)
            {
                var tmp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.WriteAllText(tmp, state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                File.Move(tmp, file, true);
            }
        }

        public static string Str(JsonNode? node, string fallback = "") => node == null ? fallback : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        public static bool Bool(JsonNode? node, bool fallback = false) => node == null ? fallback : node.GetValue<bool>();
        public static double Num(JsonNode? node, double fallback = 0) => node == null ? fallback : node.GetValue<double>();
        public static JsonArray Arr(JsonNode? node) => node as JsonArray ?? new JsonArray();

        /// <summary>Fails like a cmdlet whose target does not exist (ObjectNotFound), as the real ones do.</summary>
        public static ErrorRecord NotFound(string id, string message, object? target)
            => new ErrorRecord(new ItemNotFoundException(message), id, ErrorCategory.ObjectNotFound, target);
    }
}

