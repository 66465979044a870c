import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Starts "bot replicas" (replica-worker.ts in separate Node processes) and talks to them.

export interface Replica {
  pid: number;
  call<T>(req: Record<string, unknown>): Promise<T>;
  kill(): void;
}

const WORKER = fileURLToPath(new URL('./replica-worker.ts', import.meta.url));

export function startReplica(databaseUrl: string, script = WORKER): Promise<Replica> {
  const child: ChildProcess = fork(script, [databaseUrl], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`replica exited with ${code} before it was ready`));
      for (const p of pending.values()) p.reject(new Error(`replica exited with ${code}`));
    });
    child.on('message', (msg: { ready?: boolean; pid?: number; id?: number; result?: unknown; error?: string }) => {
      if (msg.ready) {
        resolve({
          pid: msg.pid ?? -1,
          call: <T>(req: Record<string, unknown>) =>
            new Promise<T>((res, rej) => {
              const id = next++;
              pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              child.send({ ...req, id });
            }),
          kill: () => child.kill('SIGKILL'),
        });
        return;
      }
      const p = pending.get(msg.id ?? -1);
      if (!p) return;
      pending.delete(msg.id ?? -1);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
  });
}
