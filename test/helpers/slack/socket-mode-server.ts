import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

// A tiny stand-in for Slack's Socket Mode endpoint on 127.0.0.1: enough of RFC 6455 (handshake,
// unfragmented text frames, ping/pong, close) to send envelopes to the app and read its acks.

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLen(len)]);
  return Buffer.concat([head, payload]);
}

function bigLen(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

/** Parses complete client frames (always masked) off the front of `buf`. */
function parseFrames(buf: Buffer): { frames: Array<{ opcode: number; payload: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let offset = at + 2;
    if (len === 126) {
      if (buf.length - offset < 2) break;
      len = buf.readUInt16BE(offset);
      offset += 2;
    } else if (len === 127) {
      if (buf.length - offset < 8) break;
      len = Number(buf.readBigUInt64BE(offset));
      offset += 8;
    }
    if (buf.length - offset < 4 + len) break;
    const mask = buf.subarray(offset, offset + 4);
    const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + len));
    for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
    frames.push({ opcode, payload });
    at = offset + 4 + len;
  }
  return { frames, rest: buf.subarray(at) };
}

export class SocketModeServer {
  readonly received: Array<{ at: number; message: Record<string, unknown> }> = [];
  private server?: Server;
  private socket?: Duplex;
  private connectedResolve?: () => void;
  readonly connected = new Promise<void>((r) => (this.connectedResolve = r));

  async start(): Promise<string> {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket) => this.upgrade(req.headers['sec-websocket-key'] as string, socket));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as { port: number };
    return `ws://127.0.0.1:${port}/link/?ticket=test`;
  }

  send(message: unknown): void {
    this.socket?.write(frame(0x1, Buffer.from(JSON.stringify(message))));
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private upgrade(key: string, socket: Duplex): void {
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.socket = socket;
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = parseFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) this.onFrame(socket, f.opcode, f.payload);
    });
    socket.on('error', () => {});
    this.send({ type: 'hello', num_connections: 1, debug_info: { host: 'test', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0TRIAGE' } });
    this.connectedResolve?.();
  }

  private onFrame(socket: Duplex, opcode: number, payload: Buffer): void {
    if (opcode === 0x1) this.received.push({ at: Date.now(), message: JSON.parse(payload.toString()) as Record<string, unknown> });
    if (opcode === 0x9) socket.write(frame(0xa, payload));
    if (opcode === 0x8) {
      socket.write(frame(0x8, payload));
      socket.end();
    }
  }
}
