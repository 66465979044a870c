import { InvocationError, PowerShell, ProcessError } from 'node-powershell';
import { RelayError } from '../../../protocol.js';

// A pool of long-lived PowerShell processes driven by node-powershell. Starting PowerShell
// costs far more than running one of our scripts, so processes are started lazily up to `size`
// and reused; commands wait in one FIFO queue. A process that exits, crashes or overruns its
// timeout is dropped and the next command starts a fresh one. node-powershell runs one command
// at a time per process, which is exactly what a pool slot is.
// Sized to the check (issue 18): a remote call costs about a second of waiting on WinRM and
// almost no CPU here, so the pool grows to as many processes as there are commands waiting (a
// 16-node check starts 16, up to `size`), and shrinks back to `warm` once they have been idle for
// `idleMs`. Each command runs within its own budget: the pool's timeout, or less when the caller's
// deadline is nearer; at the deadline (or when the caller hangs up) a running command is given up
// and its process replaced, so a slow node costs its own answer, never the check.

export interface PwshPoolOptions {
  /** PowerShell executable (PWSH_PATH); a path or a name on PATH. */
  executable: string;
  /** Most processes alive at once (PWSH_POOL_SIZE). */
  size: number;
  /** Processes kept when idle (PWSH_POOL_WARM; default: all of them). */
  warm?: number;
  /** An idle process above `warm` is stopped after this long (PWSH_POOL_IDLE_MS). Default 300 s. */
  idleMs?: number;
  /** A command running longer than this kills its process (TIMEOUT). Default 120 s. */
  commandTimeoutMs?: number;
  /** Environment of the processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Benchmark baseline only: a new process for every command, disposed after it. */
  processPerCommand?: boolean;
}

export interface RunOptions {
  /** Wall-clock deadline (Unix ms): the command's budget ends there, even when the pool timeout is longer. */
  deadlineMs?: number;
  /** The node the command works on: it goes to a process that already holds a session there when one is free. */
  host?: string;
}

interface Job {
  command: string;
  signal?: AbortSignal;
  deadlineMs?: number;
  host?: string;
  resolve(stdout: string): void;
  reject(error: Error): void;
}

interface Worker {
  shell: PowerShell;
  busy: boolean;
  dead: boolean;
  idleTimer?: NodeJS.Timeout;
  /** Nodes this process has served, so holds a JEA session to (the scripts keep them open). */
  hosts: Set<string>;
}

export interface PwshPoolStats {
  started: number;
  alive: number;
  busy: number;
  queued: number;
}

export class PwshPool {
  private readonly workers: Worker[] = [];
  private readonly queue: Job[] = [];
  private started = 0;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly warm: number;
  private readonly idleMs: number;

  constructor(private readonly options: PwshPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error('PWSH_POOL_SIZE must be a whole number of at least 1');
    this.timeoutMs = options.commandTimeoutMs ?? 120_000;
    this.warm = Math.min(options.warm ?? options.size, options.size);
    this.idleMs = options.idleMs ?? 300_000;
  }

  /** Runs one command; resolves with its standard output. */
  run(command: string, signal?: AbortSignal, runOptions: RunOptions = {}): Promise<string> {
    if (this.closed) return Promise.reject(new RelayError('BACKEND_ERROR', 'the PowerShell pool is closed'));
    if (signal?.aborted) return Promise.reject(cancelled());
    if (runOptions.deadlineMs !== undefined && runOptions.deadlineMs <= Date.now()) return Promise.reject(cancelled());
    return new Promise<string>((resolve, reject) => {
      const job: Job = {
        command,
        signal,
        resolve,
        reject,
        ...(runOptions.deadlineMs !== undefined ? { deadlineMs: runOptions.deadlineMs } : {}),
        ...(runOptions.host !== undefined ? { host: runOptions.host.toLowerCase() } : {}),
      };
      signal?.addEventListener('abort', () => this.dropQueued(job), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  stats(): PwshPoolStats {
    return { started: this.started, alive: this.workers.length, busy: this.workers.filter((w) => w.busy).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new RelayError('BACKEND_ERROR', 'the PowerShell pool was closed before the command ran'));
    await Promise.all(this.workers.splice(0).map((w) => this.dispose(w)));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const next = this.pick();
      if (!next) return;
      const { worker, index } = next;
      const [job] = this.queue.splice(index, 1) as [Job];
      if (job.host !== undefined) worker.hosts.add(job.host);
      // Its deadline passed while it waited: not worth starting (nor a process).
      if (job.deadlineMs !== undefined && job.deadlineMs <= Date.now()) {
        job.reject(cancelled());
        continue;
      }
      void this.execute(worker, job);
    }
  }

  /**
   * The next command and the process to run it: a free process takes the first queued command for
   * a node it already holds a session to (a session set-up costs as much as a remote call); else
   * the oldest command goes to a free process, or to a new one while the pool may grow.
   */
  private pick(): { worker: Worker; index: number } | undefined {
    const idle = this.workers.filter((w) => !w.busy && !w.dead);
    for (const worker of idle) {
      const index = this.queue.findIndex((j) => j.host !== undefined && worker.hosts.has(j.host));
      if (index >= 0) return { worker, index };
    }
    const head = this.queue[0];
    const holder = head?.host !== undefined ? this.workers.find((w) => w.hosts.has(head.host!) && !w.dead) : undefined;
    // The head's session is held by a busy process: a new process (when the pool may grow) would
    // open a second one; a free process costs the same session set-up and no start-up.
    const worker = idle.find((w) => w !== holder) ?? (this.workers.length < this.options.size ? this.spawn() : undefined);
    return worker ? { worker, index: 0 } : undefined;
  }

  private spawn(): Worker {
    const shell = new PowerShell({
      executable: this.options.executable,
      executableOptions: { '-NoProfile': true },
      // TERM=dumb: with a terminal named in TERM, pwsh -Command - writes keypad-mode escapes
      // (ESC[?1h / ESC[?1l) around each statement, on the same line as the JSON answer.
      spawnOptions: { env: { ...(this.options.env ?? process.env), TERM: 'dumb' } },
    });
    const worker: Worker = { shell, busy: false, dead: false, hosts: new Set() };
    this.started += 1;
    this.workers.push(worker);
    // child-shell keeps a promise that rejects when the process exits abnormally and observes it
    // only while a command runs; observe it always, so an idle crash is not an unhandled rejection.
    exitPromiseOf(shell)?.catch(() => undefined);
    shell.streams.stdout.once('close', () => this.retire(worker));
    return worker;
  }

  private async execute(worker: Worker, job: Job): Promise<void> {
    worker.busy = true;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    let timedOut = false;
    // The command's budget: the pool's timeout, or what is left of the caller's deadline.
    const left = job.deadlineMs !== undefined ? Math.max(0, job.deadlineMs - Date.now()) : Infinity;
    const budget = Math.min(this.timeoutMs, left);
    const giveUp = (error: RelayError) => {
      if (timedOut) return;
      timedOut = true;
      job.reject(error);
      // The process may be inside a remote call that will not end soon: only replacing it frees the slot.
      void this.dispose(worker);
    };
    const timer = setTimeout(
      () => giveUp(budget < this.timeoutMs ? deadlinePassed() : new RelayError('TIMEOUT', `PowerShell did not finish within ${Math.round(this.timeoutMs / 1000)} s; its process was replaced`)),
      budget,
    );
    const onAbort = () => giveUp(deadlinePassed());
    job.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await worker.shell.invoke(job.command);
      // node-powershell resolves with no captured output when the process exited mid-command.
      if (result.stdout === undefined) throw new ProcessExited();
      if (!timedOut) job.resolve(result.raw);
    } catch (error) {
      if (!timedOut) job.reject(this.translate(error, worker));
    } finally {
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      worker.busy = false;
      if (this.options.processPerCommand) void this.dispose(worker);
      else if (!worker.dead) this.idleLater(worker);
      this.pump();
    }
  }

  /** A process beyond the warm ones that stays idle for idleMs is stopped. */
  private idleLater(worker: Worker): void {
    if (this.workers.length <= this.warm) return;
    worker.idleTimer = setTimeout(() => {
      if (!worker.busy && !worker.dead && this.workers.length > this.warm) void this.dispose(worker);
    }, this.idleMs);
    worker.idleTimer.unref();
  }

  private translate(error: unknown, worker: Worker): RelayError {
    if (error instanceof RelayError) return error;
    const cause = error instanceof ProcessError ? (error.originalError as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code === 'ENOENT' || cause?.code === 'EACCES') {
      this.retire(worker);
      return new RelayError('BACKEND_ERROR', `could not start PowerShell: PWSH_PATH=${this.options.executable} was not found or is not executable`);
    }
    if (error instanceof ProcessExited || error instanceof ProcessError || worker.dead) {
      this.retire(worker);
      return new RelayError('BACKEND_ERROR', `PowerShell (${this.options.executable}) exited while running the command; a new process will be started`);
    }
    if (error instanceof InvocationError) {
      // Text on stderr: our scripts catch their own failures, so this is PowerShell itself
      // refusing the command. Its text stays out of the message shown to people.
      return new RelayError('BACKEND_ERROR', 'PowerShell reported an error running the relay script');
    }
    return new RelayError('BACKEND_ERROR', 'PowerShell could not run the relay script');
  }

  private retire(worker: Worker): void {
    worker.dead = true;
    const i = this.workers.indexOf(worker);
    if (i >= 0) this.workers.splice(i, 1);
    if (!worker.busy) this.pump();
  }

  private async dispose(worker: Worker): Promise<void> {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    this.retire(worker);
    await worker.shell.dispose().catch(() => undefined);
  }

  private dropQueued(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i < 0) return;
    this.queue.splice(i, 1);
    job.reject(cancelled());
  }
}

class ProcessExited extends Error {}

function cancelled(): RelayError {
  return new RelayError('TIMEOUT', 'the request was cancelled before PowerShell ran it');
}

function deadlinePassed(): RelayError {
  return new RelayError('TIMEOUT', "the caller's deadline passed (or it hung up) while PowerShell was still waiting on the node; its process was replaced");
}

function exitPromiseOf(shell: PowerShell): Promise<void> | undefined {
  const candidate = (shell as unknown as { exitPromise?: unknown }).exitPromise;
  return candidate instanceof Promise ? (candidate as Promise<void>) : undefined;
}
