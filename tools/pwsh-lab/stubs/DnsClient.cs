// Stub of DnsClient\Resolve-DnsName (learn.microsoft.com/powershell/module/dnsclient): the
// documented parameters, DnsRecord_A / _AAAA / _PTR / _CNAME answers from the emulated node's DNS
// table, and the DNS_ERROR_RCODE_NAME_ERROR error for a name it cannot resolve.
#nullable enable
using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Text.Json.Nodes;
using TriageLab.Stubs;

namespace Microsoft.DnsClient.Commands
{
    public enum RecordType : ushort { UNKNOWN = 0, A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, ANY = 255, A_AAAA = 65535 }
    public enum DnsSection { Question = 0, Answer = 1, Authority = 2, Additional = 3 }

    public class DnsRecord
    {
        public string Name { get; set; } = "";
        public RecordType Type { get; set; }
        public uint TTL { get; set; } = 1200;
        public DnsSection Section { get; set; } = DnsSection.Answer;
    }
    public sealed class DnsRecord_A : DnsRecord { public string IPAddress { get; set; } = ""; public string IP4Address => IPAddress; }
    public sealed class DnsRecord_AAAA : DnsRecord { public string IPAddress { get; set; } = ""; public string IP6Address => IPAddress; }
    public sealed class DnsRecord_PTR : DnsRecord { public string NameHost { get; set; } = ""; }
    public sealed class DnsRecord_CNAME : DnsRecord { public string NameHost { get; set; } = ""; }

    [Cmdlet(VerbsDiagnostic.Resolve, "DnsName")]
    [OutputType(typeof(DnsRecord))]
    public sealed class ResolveDnsNameCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)] public string Name { get; set; } = "";
        [Parameter(Position = 1)] public RecordType Type { get; set; } = RecordType.A_AAAA;
        [Parameter] public string[]? Server { get; set; }
        [Parameter] public SwitchParameter DnsOnly { get; set; }
        [Parameter] public SwitchParameter CacheOnly { get; set; }
        [Parameter] public SwitchParameter NoHostsFile { get; set; }
        [Parameter] public SwitchParameter QuickTimeout { get; set; }
        [Parameter] public SwitchParameter NoRecursion { get; set; }

        protected override void ProcessRecord()
        {
            var s = LabState.Read(this);
            var query = Name.TrimEnd('.').ToLowerInvariant();
            // A slow DNS server: dnsLatencyMs maps a query (or "*": every query) to how long it takes.
            var delay = s["dnsLatencyMs"]?[query] ?? s["dnsLatencyMs"]?["*"];
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (delay != null) System.Threading.Thread.Sleep((int)LabState.Num(delay));
            // Every query with its start and end, next to the node's state (dns.jsonl), so a test
            // can see lookups overlap.
            var log = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(LabState.FileOf(this))!, "dns.jsonl");
            lock (typeof(ResolveDnsNameCommand))
                System.IO.File.AppendAllText(log, $"{{\"query\":{System.Text.Json.JsonSerializer.Serialize(query)},\"type\":\"{Type}\",\"start\":{started},\"end\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}\n");
            if (IPAddress.TryParse(query, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                query = string.Join(".", query.Split('.').Reverse()) + ".in-addr.arpa";
            var records = s["dns"]?[query] as JsonArray;
            if (records == null || records.Count == 0)
            {
                var code = LabState.Str(s["dnsFailure"], "DNS_ERROR_RCODE_NAME_ERROR");
                var text = code == "ERROR_TIMEOUT" ? "This operation returned because the timeout period expired" : "DNS name does not exist";
                WriteError(new ErrorRecord(new System.ComponentModel.Win32Exception(code == "ERROR_TIMEOUT" ? 1460 : 9003, $"{Name} : {text}"), $"{code},Microsoft.DnsClient.Commands.ResolveDnsName", ErrorCategory.ResourceUnavailable, Name));
                return;
            }
            foreach (var r in records)
            {
                var type = Enum.Parse<RecordType>(LabState.Str(r!["Type"]), true);
                var wanted = Type == RecordType.A_AAAA ? type == RecordType.A || type == RecordType.AAAA || type == RecordType.CNAME : type == Type || type == RecordType.CNAME;
                if (!wanted) continue;
                var name = LabState.Str(r["Name"], query);
                DnsRecord rec = type switch
                {
                    RecordType.A => new DnsRecord_A { IPAddress = LabState.Str(r["IPAddress"]) },
                    RecordType.AAAA => new DnsRecord_AAAA { IPAddress = LabState.Str(r["IPAddress"]) },
                    RecordType.PTR => new DnsRecord_PTR { NameHost = LabState.Str(r["NameHost"]) },
                    _ => new DnsRecord_CNAME { NameHost = LabState.Str(r["NameHost"]) },
                };
                rec.Name = name;
                rec.Type = type;
                WriteObject(rec);
            }
        }
    }
}

