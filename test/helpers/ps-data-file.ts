// A reader for the subset of PowerShell data-file syntax our .psrc/.pssc files use: hashtables
// @{ k = v; ... }, arrays @( ... ) and comma lists, single- and double-quoted strings, numbers,
// $true/$false/$null, and script blocks { ... } (kept as raw text). Comments are skipped. It serves
// the static role-coverage check (a unit test, which runs without PowerShell); the Windows
// integration tests load the same files with PowerShell's own Import-PowerShellDataFile.

export type PsValue = string | number | boolean | null | PsValue[] | { [key: string]: PsValue } | { scriptBlock: string };

export function parsePsDataFile(text: string): PsValue {
  const p = new Parser(text);
  const value = p.value();
  p.skip(true);
  if (!p.done()) throw p.error('unexpected text after the data');
  return value;
}

/** The raw text inside the { ... } script block that opens at `openBrace` in `text`. */
export function scriptBlockAt(text: string, openBrace: number): string {
  if (text[openBrace] !== '{') throw new Error(`no script block at offset ${openBrace}`);
  const p = new Parser(text);
  p.seek(openBrace);
  return p.block();
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  seek(offset: number): void {
    this.i = offset;
  }

  done(): boolean {
    return this.i >= this.s.length;
  }

  error(what: string): Error {
    const line = this.s.slice(0, this.i).split('\n').length;
    return new Error(`${what} at line ${line}`);
  }

  /** Skips spaces and comments; newlines too when `newlines`. */
  skip(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (this.s.startsWith('<#', this.i)) this.i = this.s.indexOf('#>', this.i) + 2;
      else if (c === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else if (c === '`' && this.s[this.i + 1] === '\n') this.i += 2;
      else return;
    }
  }

  /** A value, or a comma list of values (an array). */
  value(): PsValue {
    this.skip(true);
    const first = this.single();
    this.skip(false);
    if (this.s[this.i] !== ',') return first;
    const list = [first];
    while (this.s[this.i] === ',') {
      this.i++;
      this.skip(true);
      list.push(this.single());
      this.skip(false);
    }
    return list;
  }

  private single(): PsValue {
    const s = this.s;
    if (s.startsWith('@{', this.i)) return this.hashtable();
    if (s.startsWith('@(', this.i)) return this.array();
    if (s[this.i] === "'") return this.singleQuoted();
    if (s[this.i] === '"') return this.doubleQuoted();
    if (s[this.i] === '{') return { scriptBlock: this.block() };
    const word = /^(\$true|\$false|\$null|-?\d+(\.\d+)?)/i.exec(s.slice(this.i));
    if (!word) throw this.error('expected a value');
    this.i += word[0].length;
    const w = word[0].toLowerCase();
    return w === '$true' ? true : w === '$false' ? false : w === '$null' ? null : Number(w);
  }

  private hashtable(): { [key: string]: PsValue } {
    this.i += 2;
    const out: { [key: string]: PsValue } = {};
    for (;;) {
      this.skip(true);
      if (this.s[this.i] === ';') { this.i++; continue; }
      if (this.s[this.i] === '}') { this.i++; return out; }
      const key = this.s[this.i] === "'" ? this.singleQuoted() : this.s[this.i] === '"' ? this.doubleQuoted() : this.bareword();
      this.skip(false);
      if (this.s[this.i] !== '=') throw this.error(`expected = after ${key}`);
      this.i++;
      out[key] = this.value();
    }
  }

  private array(): PsValue[] {
    this.i += 2;
    const out: PsValue[] = [];
    for (;;) {
      this.skip(true);
      if (this.s[this.i] === ';') { this.i++; continue; }
      if (this.s[this.i] === ')') { this.i++; return out; }
      const v = this.value();
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
  }

  private bareword(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) throw this.error('expected a key');
    this.i += m[0].length;
    return m[0];
  }

  private singleQuoted(): string {
    let out = '';
    this.i++;
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw this.error('unterminated string');
      if (c === "'") {
        if (this.s[this.i] === "'") { out += "'"; this.i++; continue; }
        return out;
      }
      out += c;
    }
  }

  private doubleQuoted(): string {
    let out = '';
    this.i++;
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw this.error('unterminated string');
      if (c === '`') { out += this.s[this.i++] ?? ''; continue; }
      if (c === '"') return out;
      out += c;
    }
  }

  /** A { ... } script block as raw text; braces inside strings and comments do not count. */
  block(): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === "'") { this.singleQuoted(); continue; }
      if (c === '"') { this.doubleQuoted(); continue; }
      if (c === '#') { this.skip(false); continue; }
      this.i++;
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return this.s.slice(start + 1, this.i - 1);
    }
    throw this.error('unterminated script block');
  }
}
