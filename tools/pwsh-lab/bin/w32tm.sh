#!/bin/sh
# Stub of w32tm.exe on an emulated node (installed as <SystemRoot>/System32/w32tm.exe). Answers
# only the one form Get-TimeStatus runs, `/stripchart /computer:<dc> /samples:1 /dataonly`, in
# w32tm's output format (current: "HH:MM:SS, d:<delay>s o:<offset>s"; w32tmFormat "legacy":
# "HH:MM:SS, <offset>s"; w32tmFormat "error": the DC does not answer), with the offset from the
# node's state file (w32tmOffset: the DC's clock minus the node's, as NTP computes it).
state="$(dirname "$0")/../../state.json"
case "$*" in
  "/stripchart /computer:"*" /samples:1 /dataonly") ;;
  *) echo "The following arguments were unexpected: $*" >&2; exit 87 ;;
esac
exec node -e '
const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const dc = process.argv[2].replace("/computer:", "");
const o = Number(s.w32tmOffset ?? 0);
const t = new Date().toISOString().slice(11, 19);
const fmt = (x) => (x < 0 ? "-" : "+") + Math.abs(x).toFixed(7).padStart(10, "0") + "s";
console.log("Tracking " + dc + " [10.0.0.5:123].");
console.log("Collecting 1 samples.");
console.log("The current time is " + new Date().toLocaleString("en-US") + ".");
if (s.w32tmFormat === "error") console.log(t + ", error: 0x800705B4");
else if (s.w32tmFormat === "legacy") console.log(t + ", " + fmt(o));
else console.log(t + ", d:" + fmt(0.0005) + " o:" + fmt(o));
' "$state" "$2"
