// Audit lines for unauthenticated requests, sampled: at most `perMinute` a minute get a line of
// their own; the rest are counted, and the next line written says how many were left out
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
    const notLogged = this.notLogged;
    this.notLogged = 0;
    return { write: true, notLogged };
  }
}
