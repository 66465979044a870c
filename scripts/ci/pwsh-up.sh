#!/usr/bin/env bash
# Installs PowerShell 7.6.9 as a .NET global tool (pwsh in ~/.dotnet/tools) unless that version
# is already there. The Windows backend's tests run the relay's scripts in it; lab mode and
# `npm start` do not need it.
set -euo pipefail
VERSION=7.6.9
tools="$HOME/.dotnet/tools"
if [ -x "$tools/pwsh" ] && [ "$("$tools/pwsh" -NoProfile -NoLogo -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)" = "$VERSION" ]; then
  echo "pwsh-up: PowerShell $VERSION already installed"
  exit 0
fi
command -v dotnet >/dev/null || { echo "pwsh-up: the .NET SDK (dotnet) is needed to install PowerShell" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -x "$tools/pwsh" ]; then
  dotnet tool update --global PowerShell --version "$VERSION" >/dev/null
else
  dotnet tool install --global PowerShell --version "$VERSION" >/dev/null
fi
echo "pwsh-up: PowerShell $("$tools/pwsh" -NoProfile -NoLogo -Command '$PSVersionTable.PSVersion.ToString()') in $tools"
