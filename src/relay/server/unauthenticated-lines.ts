// Audit lines for requests refused before their key was established (401, and 429 for a key
// over its rate), sampled: at most `perMinute` a minute get a line of their own; the rest are
// counted, and the next line written, of any kind, says how many were left out
// (`unauthenticatedNotLogged`), so the log shows a flood without growing with it. Authenticated
// requests are never sampled.
export class UnauthenticatedLines {
  private windowStart = 0;
  private written = 0;
  private notLogged = 0;

  constructor(private readonly perMinute: number) {}

  take(nowMs: number): { write: boolean; notLogged: number } {
    if (nowMs - this.windowStart >= 60_000) {
      this.windowStart = nowMs;
      this.written = 0;
    }
    if (this.written >= this.perMinute) {
      this.notLogged++;
      return { write: false, notLogged: 0 };
    }
    this.written++;
    return { write: true, notLogged: this.drain() };
  }

  /** The count of lines left out since the last line written, for the line about to be written. */
  drain(): number {
    const notLogged = this.notLogged;
    this.notLogged = 0;
    return notLogged;
  }
}
