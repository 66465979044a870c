#Requires -Version 7.2
<#
.SYNOPSIS
  Installs triage-relay as a Windows service under WinSW, running as a gMSA (or another service
  account), with its .env readable only by that account, its audit log and TLS material in place,
  and start/stop/failure reported to the Application event log.

.DESCRIPTION
  Service wrapper: WinSW (https://github.com/winsw/winsw), one executable configured by an XML file
  next to it. Chosen over NSSM (no release since 2017) and node-windows (a JavaScript layer that
  generates the same WinSW XML and ships its own, older copy of it): WinSW directly gives us the
  XML we need — a gMSA logon with no password, restart on failure, size-rolled wrapper logs — and
  nothing else. The script never downloads anything: pass the WinSW executable you obtained and
  vetted (-WinSWPath) and its SHA-256 (-WinSWSha256); the script refuses a file that does not match.

  -Plan prints what the script would do as JSON and changes nothing (it also runs where Windows
  is not, which is how the project tests it); -WhatIf does the same through ShouldProcess.

.EXAMPLE
  .\Install-TriageRelay.ps1 -SourceDir C:\src\triage-bot -ServiceAccount 'CONTOSO\svc-triage$' `
      -WinSWPath C:\tools\WinSW-x64.exe -WinSWSha256 <hash> -CertThumbprint <thumbprint>
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
  # The triage-bot checkout or release (with bin\, dist\ and node_modules\ from `npm ci`).
  [Parameter(Mandatory = $true)][string]$SourceDir,
  # DOMAIN\name$ for a gMSA (no password), or DOMAIN\user with -ServicePassword.
  [Parameter(Mandatory = $true)][string]$ServiceAccount,
  [Parameter(Mandatory = $true)][string]$WinSWPath,
  [Parameter(Mandatory = $true)][string]$WinSWSha256,
  [string]$ServicePassword,
  [string]$ServiceName = 'triage-relay',
  [string]$InstallDir = 'C:\Program Files\triage-relay',
  [string]$DataDir = 'C:\ProgramData\triage-relay',
  [string]$NodePath = 'C:\Program Files\nodejs\node.exe',
  # The relay's settings (RELAY_KEYS, LDAP_*, ...); copied to DataDir\.env and ACL'd.
  [string]$EnvFile,
  # TLS: a certificate in Cert:\LocalMachine\My (private key exportable), or PEM files.
  [string]$CertThumbprint,
  [string]$CertFile,
  [string]$KeyFile,
  [switch]$Plan
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Fail([string]$Message) {
  # One clear line for the operator, never a stack trace.
  [Console]::Error.WriteLine("Install-TriageRelay: $Message")
  exit 1
}

# ---- validation: everything is checked before anything changes ---------------------------------
$accountPattern = '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}\\[A-Za-z0-9][A-Za-z0-9._ -]{0,63}\$?$'
if ($ServiceAccount -notmatch $accountPattern) { Fail "ServiceAccount '$ServiceAccount' is not DOMAIN\name (a gMSA ends in `$, e.g. CONTOSO\svc-triage`$)." }
$isGmsa = $ServiceAccount.EndsWith('$')
if ($isGmsa -and $ServicePassword) { Fail 'a gMSA has no password: leave out -ServicePassword (Windows fetches it from AD).' }
if (-not $isGmsa -and -not $ServicePassword) { Fail "ServiceAccount '$ServiceAccount' is not a gMSA (no trailing `$): give -ServicePassword, or better, use a gMSA (docs/operations.md)." }
if ($ServiceName -notmatch '^[A-Za-z][A-Za-z0-9-]{0,63}$') { Fail "ServiceName '$ServiceName' must be letters, digits and dashes." }
if ($CertThumbprint -and ($CertFile -or $KeyFile)) { Fail 'give -CertThumbprint or -CertFile/-KeyFile, not both.' }
if (-not $CertThumbprint -and -not ($CertFile -and $KeyFile)) { Fail 'TLS is required off loopback: give -CertThumbprint (machine store) or -CertFile and -KeyFile (PEM).' }
if ($CertThumbprint -and $CertThumbprint -notmatch '^[0-9A-Fa-f]{40}$') { Fail 'CertThumbprint must be 40 hex characters (SHA-1 thumbprint).' }
if ($WinSWSha256 -notmatch '^[0-9A-Fa-f]{64}$') { Fail 'WinSWSha256 must be the 64-hex-character SHA-256 of the WinSW executable.' }
if (-not (Test-Path -LiteralPath $WinSWPath -PathType Leaf)) { Fail "WinSW executable not found: ${WinSWPath} (the script downloads nothing)." }
$actual = (Get-FileHash -LiteralPath $WinSWPath -Algorithm SHA256).Hash
if ($actual -ne $WinSWSha256.ToUpperInvariant()) { Fail "WinSW executable $WinSWPath has SHA-256 $actual, not the $($WinSWSha256.ToUpperInvariant()) you gave: refusing to install it." }
foreach ($needed in @('bin/triage-relay.mjs', 'dist/src/cli/triage-relay.js', 'node_modules')) {
  if (-not (Test-Path -LiteralPath (Join-Path $SourceDir $needed))) { Fail "$SourceDir has no ${needed}: run npm ci there first (it also builds dist/)." }
}
if ($EnvFile -and -not (Test-Path -LiteralPath $EnvFile -PathType Leaf)) { Fail "EnvFile not found: ${EnvFile}" }
foreach ($f in @($CertFile, $KeyFile) | Where-Object { $_ }) { if (-not (Test-Path -LiteralPath $f -PathType Leaf)) { Fail "TLS file not found: ${f}" } }

# Windows paths are built with '\' whatever the host, so the plan reads the same everywhere.
function WinJoin([string]$a, [string]$b) { return ($a.TrimEnd('\') + '\' + $b) }
$envTarget = WinJoin $DataDir '.env'
$tlsDir = WinJoin $DataDir 'tls'
$auditLog = WinJoin (WinJoin $DataDir 'audit') 'relay-audit.jsonl'
$certPem = if ($CertThumbprint) { WinJoin $tlsDir 'relay.pem' } else { $CertFile }
$keyPem = if ($CertThumbprint) { WinJoin $tlsDir 'relay.key' } else { $KeyFile }

# ---- the WinSW configuration, built as XML (values escaped by the writer, never concatenated) ----
function New-WinSWXml {
  $settings = [System.Xml.XmlWriterSettings]::new()
  $settings.Indent = $true
  $settings.OmitXmlDeclaration = $true
  $sb = [System.Text.StringBuilder]::new()
  $w = [System.Xml.XmlWriter]::Create($sb, $settings)
  $w.WriteStartElement('service')
  $w.WriteElementString('id', $ServiceName)
  $w.WriteElementString('name', 'triage-relay (Hyper-V live migration triage)')
  $w.WriteElementString('description', 'Signed, allow-listed read/write relay for triage-bot. Audit log: ' + $auditLog)
  $w.WriteElementString('executable', $NodePath)
  $w.WriteElementString('arguments', '--enable-source-maps "' + (WinJoin $InstallDir 'app\bin\triage-relay.mjs') + '"')
  $w.WriteElementString('workingdirectory', $DataDir)
  $w.WriteElementString('startmode', 'Automatic')
  $w.WriteElementString('delayedAutoStart', 'true')
  $w.WriteElementString('stoptimeout', '30 sec')
  foreach ($pair in @(@('NODE_ENV', 'production'), @('RELAY_AUDIT_LOG', $auditLog), @('RELAY_TLS_CERT', $certPem), @('RELAY_TLS_KEY', $keyPem))) {
    $w.WriteStartElement('env'); $w.WriteAttributeString('name', $pair[0]); $w.WriteAttributeString('value', $pair[1]); $w.WriteEndElement()
  }
  foreach ($delay in @('10 sec', '30 sec', '60 sec')) {
    $w.WriteStartElement('onfailure'); $w.WriteAttributeString('action', 'restart'); $w.WriteAttributeString('delay', $delay); $w.WriteEndElement()
  }
  $w.WriteElementString('resetfailure', '1 hour')
  $w.WriteStartElement('log'); $w.WriteAttributeString('mode', 'roll-by-size')
  $w.WriteElementString('sizeThreshold', '10240'); $w.WriteElementString('keepFiles', '8'); $w.WriteEndElement()
  $w.WriteElementString('logpath', (WinJoin $DataDir 'logs'))
  $w.WriteStartElement('serviceaccount')
  $w.WriteElementString('username', $ServiceAccount)
  # A gMSA logs on with no password element at all: Windows retrieves it from AD.
  if (-not $isGmsa) { $w.WriteElementString('password', '(set at install, not written to the plan)') }
  $w.WriteElementString('allowservicelogon', 'true')
  $w.WriteEndElement()
  $w.WriteEndElement()
  $w.Flush(); $w.Dispose()
  return $sb.ToString()
}
$xml = New-WinSWXml

# ---- the plan ------------------------------------------------------------------------------------
$steps = [System.Collections.Generic.List[object]]::new()
function Step([string]$Action, [string]$Target, [hashtable]$Detail = @{}) { $steps.Add([ordered]@{ action = $Action; target = $Target; detail = $Detail }) }

Step 'create-directory' $InstallDir
Step 'create-directory' $DataDir @{ children = @('audit', 'logs', 'tls') }
Step 'copy-app' (WinJoin $InstallDir 'app') @{ from = $SourceDir; items = @('package.json', 'bin', 'dist', 'node_modules', 'lab') }
Step 'install-winsw' (WinJoin $InstallDir "$ServiceName.exe") @{ from = $WinSWPath; sha256 = $actual }
Step 'write-winsw-config' (WinJoin $InstallDir "$ServiceName.xml") @{ xml = $xml }
if ($EnvFile) { Step 'copy-env' $envTarget @{ from = $EnvFile } }
# The .env holds RELAY_KEYS, LDAP passwords and the approval key: inheritance off, and only the
# service account (read), SYSTEM and Administrators (full) may open it.
Step 'set-acl' $envTarget @{ inheritance = 'removed'; grants = @(@{ identity = $ServiceAccount; rights = 'Read' }, @{ identity = 'NT AUTHORITY\SYSTEM'; rights = 'FullControl' }, @{ identity = 'BUILTIN\Administrators'; rights = 'FullControl' }) }
Step 'set-acl' $tlsDir @{ inheritance = 'removed'; grants = @(@{ identity = $ServiceAccount; rights = 'Read' }, @{ identity = 'NT AUTHORITY\SYSTEM'; rights = 'FullControl' }, @{ identity = 'BUILTIN\Administrators'; rights = 'FullControl' }) }
# The audit log is append-only for the service: it may create and append, an operator reads it.
Step 'set-acl' (WinJoin $DataDir 'audit') @{ inheritance = 'removed'; grants = @(@{ identity = $ServiceAccount; rights = 'Modify' }, @{ identity = 'NT AUTHORITY\SYSTEM'; rights = 'FullControl' }, @{ identity = 'BUILTIN\Administrators'; rights = 'FullControl' }) }
Step 'set-acl' (WinJoin $DataDir 'logs') @{ inheritance = 'removed'; grants = @(@{ identity = $ServiceAccount; rights = 'Modify' }, @{ identity = 'NT AUTHORITY\SYSTEM'; rights = 'FullControl' }, @{ identity = 'BUILTIN\Administrators'; rights = 'FullControl' }) }
if ($CertThumbprint) { Step 'export-certificate' $tlsDir @{ store = 'Cert:\LocalMachine\My'; thumbprint = $CertThumbprint.ToUpperInvariant(); cert = $certPem; key = $keyPem } }
Step 'register-event-source' 'Application' @{ source = $ServiceName }
Step 'install-service' $ServiceName @{ command = @((WinJoin $InstallDir "$ServiceName.exe"), 'install'); account = $ServiceAccount; gmsa = $isGmsa }
Step 'start-service' $ServiceName

if ($Plan) {
  [ordered]@{ service = $ServiceName; account = $ServiceAccount; gmsa = $isGmsa; steps = $steps } | ConvertTo-Json -Depth 8
  exit 0
}

# ---- applying it (Windows only) -----------------------------------------------------------------
if (-not $IsWindows) { Fail 'installing needs Windows; use -Plan to see what would be done.' }

function Set-PrivateAcl([string]$Path, [object[]]$Grants) {
  $acl = Get-Acl -LiteralPath $Path
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($rule in @($acl.Access)) { [void]$acl.RemoveAccessRule($rule) }
  $inherit = if ((Get-Item -LiteralPath $Path).PSIsContainer) { 'ContainerInherit, ObjectInherit' } else { 'None' }
  foreach ($g in $Grants) {
    $acl.AddAccessRule([System.Security.AccessControl.FileSystemAccessRule]::new($g.identity, $g.rights, $inherit, 'None', 'Allow'))
  }
  Set-Acl -LiteralPath $Path -AclObject $acl
}

foreach ($s in $steps) {
  if (-not $PSCmdlet.ShouldProcess($s.target, $s.action)) { continue }
  switch ($s.action) {
    'create-directory' {
      New-Item -ItemType Directory -Force -Path $s.target | Out-Null
      foreach ($c in @($s.detail.children | Where-Object { $_ })) { New-Item -ItemType Directory -Force -Path (Join-Path $s.target $c) | Out-Null }
    }
    'copy-app' {
      New-Item -ItemType Directory -Force -Path $s.target | Out-Null
      foreach ($item in $s.detail.items) { Copy-Item -LiteralPath (Join-Path $SourceDir $item) -Destination $s.target -Recurse -Force }
    }
    'install-winsw' { Copy-Item -LiteralPath $WinSWPath -Destination $s.target -Force }
    'write-winsw-config' {
      $final = $s.detail.xml
      if (-not $isGmsa) {
        # The real password goes only into the file on disk (ACL'd with the install dir), never the plan.
        $doc = [xml]$final
        $doc.service.serviceaccount.password = $ServicePassword
        $final = $doc.OuterXml
      }
      Set-Content -LiteralPath $s.target -Value $final -Encoding utf8
    }
    'copy-env' { Copy-Item -LiteralPath $s.detail.from -Destination $s.target -Force }
    'set-acl' { if (Test-Path -LiteralPath $s.target) { Set-PrivateAcl $s.target $s.detail.grants } }
    'export-certificate' {
      $cert = Get-Item -LiteralPath ("Cert:\LocalMachine\My\" + $s.detail.thumbprint)
      if (-not $cert.HasPrivateKey) { Fail "certificate $($s.detail.thumbprint) has no private key in the machine store." }
      $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert)
      $ecdsa = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($cert)
      $key = if ($rsa) { $rsa } elseif ($ecdsa) { $ecdsa } else { Fail 'only RSA and ECDSA certificates are supported.' }
      try { $pkcs8 = $key.ExportPkcs8PrivateKey() } catch { Fail "the private key of $($s.detail.thumbprint) is not exportable: re-import the certificate with an exportable key, or give -CertFile/-KeyFile." }
      Set-Content -LiteralPath $s.detail.cert -Value ("-----BEGIN CERTIFICATE-----`n" + [Convert]::ToBase64String($cert.RawData, 'InsertLineBreaks') + "`n-----END CERTIFICATE-----") -Encoding ascii
      Set-Content -LiteralPath $s.detail.key -Value ("-----BEGIN PRIVATE KEY-----`n" + [Convert]::ToBase64String($pkcs8, 'InsertLineBreaks') + "`n-----END PRIVATE KEY-----") -Encoding ascii
    }
    'register-event-source' {
      if (-not [System.Diagnostics.EventLog]::SourceExists($s.detail.source)) { New-EventLog -LogName Application -Source $s.detail.source }
    }
    'install-service' { & $s.detail.command[0] install; if ($LASTEXITCODE -ne 0) { Fail "WinSW install failed with exit code $LASTEXITCODE." } }
    'start-service' {
      Start-Service -Name $s.target
      Write-EventLog -LogName Application -Source $ServiceName -EventId 1000 -EntryType Information -Message "triage-relay installed as $ServiceAccount; audit log $auditLog."
    }
  }
}
Write-Output "triage-relay is installed and running as $ServiceAccount. Audit log: $auditLog"
