/**
 * A durable local spool for records on their way to PostgreSQL. Appends go to the current segment file
 * with a plain write (so a killed process loses nothing: the data is in the operating system's hands) and are
 * fsynced every interval (so only a crash of the machine or disk within that interval can lose them).
 * Segments are sealed and drained to the database in order; a segment is deleted only after it was written,
 * and every record has a natural key, so a replay after a failure writes each row exactly once.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export class Spool<T> {
  private fd: number | undefined;
  private current: string | undefined;
  private dirty = false;
  private appended = 0;
  private sequence = 0;
  private readonly fsyncTimer: NodeJS.Timeout;

  constructor(
    readonly dir: string,
    fsyncIntervalMs = 100,
  ) {
    mkdirSync(dir, { recursive: true });
    this.fsyncTimer = setInterval(() => this.sync(), fsyncIntervalMs);
    this.fsyncTimer.unref();
  }

  /** Records in the current, unsealed segment. */
  get pending(): number {
    return this.appended;
  }

  append(entry: T): void {
    if (this.fd === undefined) this.openSegment();
    writeSync(this.fd!, `${JSON.stringify(entry)}\n`);
    this.dirty = true;
    this.appended++;
  }

  /** Closes the current segment (if it holds anything) so it can be drained. */
  seal(): void {
    if (this.fd === undefined) return;
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
    this.current = undefined;
    this.appended = 0;
  }

  /** Sealed segments, oldest first. */
  sealedSegments(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl') && path.join(this.dir, f) !== this.current)
      .sort()
      .map((f) => path.join(this.dir, f));
  }

  /**
   * Writes every sealed segment through `write`, oldest first, deleting each once written. Stops at the first
   * failure (the segment stays for the next attempt). Returns the number of records written.
   */
  async drain(write: (entries: T[]) => Promise<void>, batchSize = 500): Promise<number> {
    let written = 0;
    for (const segment of this.sealedSegments()) {
      const entries = readSegment<T>(segment);
      for (let i = 0; i < entries.length; i += batchSize) await write(entries.slice(i, i + batchSize));
      unlinkSync(segment);
      written += entries.length;
    }
    return written;
  }

  close(): void {
    clearInterval(this.fsyncTimer);
    this.seal();
  }

  private sync(): void {
    if (this.fd !== undefined && this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  private openSegment(): void {
    // Names sort in creation order across restarts: time, then a sequence within the process.
    const name = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence++).padStart(6, '0')}-${process.pid}.jsonl`;
    this.current = path.join(this.dir, name);
    this.fd = openSync(this.current, 'a', 0o600);
  }
}

/** The records of a segment; a torn last line (a crash mid-write) is the only kind of line skipped. */
function readSegment<T>(file: string): T[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      if (i < lines.length - 2) throw new Error(`spool segment ${file} line ${i + 1} is corrupt`, { cause: err });
    }
  });
  return out;
}
