#!/bin/sh
# Stub of klist.exe on an emulated node (installed as <SystemRoot>/System32/klist.exe). Answers
# only `klist -li 0x3e7 purge` (what Clear-HvLmMachineTicket runs), records the purge in
# klist.log beside the node's state, and exits with the state's klistExitCode (default 0).
dir="$(dirname "$0")/../.."
if [ "$*" != "-li 0x3e7 purge" ]; then echo "klist: unexpected arguments: $*" >&2; exit 87; fi
code=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(String(s.klistExitCode ?? 0))' "$dir/state.json")
if [ "$code" = 0 ]; then
  date -u +%Y-%m-%dT%H:%M:%SZ >> "$dir/klist.log"
  printf '\nCurrent LogonId is 0:0x3e7\nTargeted LogonId is 0:0x3e7\n\tDeleting all tickets:\n\tTicket(s) purged!\n'
fi
exit "$code"
