#!/usr/bin/env bash
# A private CA and a TLS certificate for the compose lab relay (host name "relay"), in deploy/certs/.
# For trying compose only: production relays use a certificate from your PKI (docs/operations.md).
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/certs"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=triage lab CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=relay" -keyout relay.key -out relay.csr 2>/dev/null
printf 'subjectAltName=DNS:relay,DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in relay.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile san.ext -out relay.pem 2>/dev/null
rm -f relay.csr san.ext ca.srl
chmod 644 ca.pem relay.pem relay.key
echo "wrote $dir/{ca.pem,relay.pem,relay.key}"
