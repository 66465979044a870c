import { InvocationError, PowerShell, ProcessError } from 'node-powershell';
import { RelayError } from '../../../protocol.js';

// A small pool of long-lived PowerShell processes driven by node-powershell. Starting PowerShell
// costs far more than running one of our scripts, so processes are started lazily up to `size`
// and reused; commands wait in one FIFO queue. A process that exits, crashes or overruns its
// timeout is dropped and the next command starts a fresh one. node-powershell runs one command
// at a time per process, which is exactly what a pool slot is.

export interface PwshPoolOptions {
  /** PowerShell executable (PWSH_PATH); a path or a name on PATH. */
  executable: string;
  /** Most processes alive at once (PWSH_POOL_SIZE). */
  size: number;
  /** A command running longer than this kills its process (TIMEOUT). Default 120 s. */
  commandTimeoutMs?: number;
  /** Environment of the processes (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Benchmark baseline only: a new process for every command, disposed after it. */
  processPerCommand?: boolean;
}

interface Job {
  command: string;
  signal?: AbortSignal;
  resolve(stdout: string): void;
  reject(error: Error): void;
}

interface Worker {
  shell: PowerShell;
  busy: boolean;
  dead: boolean;
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

  constructor(private readonly options: PwshPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error('PWSH_POOL_SIZE must be a whole number of at least 1');
    this.timeoutMs = options.commandTimeoutMs ?? 120_000;
  }

  /** Runs one command; resolves with its standard output. */
  run(command: string, signal?: AbortSignal): Promise<string> {
    if (this.closed) return Promise.reject(new RelayError('BACKEND_ERROR', 'the PowerShell pool is closed'));
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<string>((resolve, reject) => {
      const job: Job = { command, signal, resolve, reject };
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
      const worker = this.workers.find((w) => !w.busy && !w.dead) ?? (this.workers.length < this.options.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      void this.execute(worker, job);
    }
  }

  private spawn(): Worker {
    const shell = new PowerShell({
      executable: this.options.executable,
      executableOptions: { '-NoProfile': true },
      // TERM=dumb: with a terminal named in TERM, pwsh -Command - writes keypad-mode escapes
      // (ESC[?1h / ESC[?1l) around each statement, on the same line as the JSON answer.
      spawnOptions: { env: { ...(this.options.env ?? process.env), TERM: 'dumb' } },
    });
    const worker: Worker = { shell, busy: false, dead: false };
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
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      job.reject(new RelayError('TIMEOUT', `PowerShell did not finish within ${Math.round(this.timeoutMs / 1000)} s; its process was replaced`));
      void this.dispose(worker);
    }, this.timeoutMs);
    try {
      const result = await worker.shell.invoke(job.command);
      // node-powershell resolves with no captured output when the process exited mid-command.
      if (result.stdout === undefined) throw new ProcessExited();
      if (!timedOut) job.resolve(result.raw);
    } catch (error) {
      if (!timedOut) job.reject(this.translate(error, worker));
    } finally {
      clearTimeout(timer);
      worker.busy = false;
      if (this.options.processPerCommand) void this.dispose(worker);
      this.pump();
    }
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

function exitPromiseOf(shell: PowerShell): Promise<void> | undefined {
  const candidate = (shell as unknown as { exitPromise?: unknown }).exitPromise;
  return candidate instanceof Promise ? (candidate as Promise<void>) : undefined;
}
