#!/usr/bin/env bash
# The container image's build steps, in one place: the Dockerfile's build stage runs this, and CI
# runs it too (no container engine on these machines), so what CI checks is what the image holds.
# It assembles the image's /app tree in OUT_DIR: package.json, bin/, dist/ (compiled), lab/ (the
# lab relay's scenarios and policies) and the production node_modules, no TypeScript, no dev
# dependencies; then scripts/image/check-tree.mjs checks the tree and runs the compiled CLI from it.
#   usage: scripts/image/assemble.sh OUT_DIR
set -euo pipefail
out=${1:?usage: scripts/image/assemble.sh OUT_DIR}
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

# In the image's build stage nothing is installed yet: npm ci installs and compiles (prepare).
[ -e node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

rm -rf "$out"
mkdir -p "$out/bin"
cp package.json package-lock.json "$out/"
cp -R dist lab "$out/"
# The runtime entry points only: run-ts.mjs and bench.mjs need tsx and the sources.
cp bin/triage-bot.mjs bin/triage.mjs bin/triage-relay.mjs bin/healthcheck.mjs "$out/bin/"

# Production dependencies from the installed tree, without the network: copy (hard links when on
# the same file system), then let npm prune the dev dependencies against the lockfile. Scripts
# stay off: better-sqlite3 is already built for this Node in the copied tree.
modules="$(realpath node_modules)"
cp -al "$modules" "$out/node_modules" 2>/dev/null || cp -R "$modules" "$out/node_modules"
rm -f "$out/node_modules/.package-lock.json"
(cd "$out" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

node scripts/image/check-tree.mjs "$out"
