import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The listening socket: HTTPS with the configured certificate, optionally requiring a client
// certificate (mTLS); plain HTTP only on a loopback address, where nothing leaves the machine.

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** When set, callers must present a certificate signed by this CA (mTLS). */
  clientCa?: string | Buffer;
}

export class RelayStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayStartError';
  }
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export function createHttpServer(host: string, tls: TlsOptions | undefined, handler: (req: IncomingMessage, res: ServerResponse) => void): http.Server {
  let server: http.Server;
  if (tls) {
    server = createTlsServer(tls, handler);
  } else {
    if (!isLoopback(host)) {
      throw new RelayStartError(
        `refusing to serve plain HTTP on ${host}: requests and keys would cross the network unencrypted. ` +
          'Set RELAY_TLS_CERT and RELAY_TLS_KEY, or bind RELAY_LISTEN_HOST to 127.0.0.1.',
      );
    }
    server = http.createServer(handler);
  }
  // Slow-loris guards: a request must arrive whole within these times.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 30_000;
  return server;
}

function createTlsServer(tls: TlsOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): https.Server {
  try {
    return https.createServer(
      {
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      },
      handler,
    );
  } catch (e) {
    // Node's OpenSSL messages ("PEM routines::no start line") do not say which file is wrong.
    throw new RelayStartError(`the TLS certificate or key cannot be used (RELAY_TLS_CERT, RELAY_TLS_KEY${tls.clientCa ? ', RELAY_CLIENT_CA' : ''}): ${(e as Error).message}`);
  }
}

export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new RelayStartError(e.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (RELAY_PORT)` : `cannot listen on ${host}:${port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
