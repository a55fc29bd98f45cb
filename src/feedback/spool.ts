/**
 * A durable local spool for records on their way to PostgreSQL. Appends go to the current segment file
 * with a plain write (so a killed process loses nothing: the data is in the operating system's hands) and are
 * fsynced every interval (so only a crash of the machine or disk within that interval can lose them).
 * Segments are sealed and drained to the database in order; a segment is deleted only after it was written,
 * and every record has a natural key, so a replay after a failure writes each row exactly once.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { lockDirectory, type DirLock } from '../infra/dir-lock.js';

export class Spool<T> {
  private fd: number | undefined;
  private current: string | undefined;
  private dirty = false;
  private appended = 0;
  private sequence = 0;
  private readonly fsyncTimer: NodeJS.Timeout;

  /**
   * Opens a spool directory for this process alone: another process would drain (and delete) the segment this
   * one is writing. The lock goes with the process, however it ends (see dir-lock.ts).
   */
  static async open<T>(dir: string, fsyncIntervalMs = 100): Promise<Spool<T>> {
    return new Spool<T>(dir, await lockDirectory(dir, 'the record spool'), fsyncIntervalMs);
  }

  private constructor(
    readonly dir: string,
    private readonly lock: DirLock,
    fsyncIntervalMs: number,
  ) {
    this.fsyncTimer = setInterval(() => this.sync(), fsyncIntervalMs);
    this.fsyncTimer.unref();
  }

  /** Records in the current, unsealed segment. */
  get pending(): number {
    return this.appended;
  }

  append(entry: T): void {
    if (this.fd === undefined) this.openSegment();
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      // writeSync may write part of a buffer: keep going until the whole line is down.
      for (let done = 0; done < line.length;) done += writeSync(this.fd!, line, done);
    } catch (err) {
      // A failed write may leave a torn line: end this segment there, so the next record starts a clean one.
      this.abandonSegment();
      throw err;
    }
    this.dirty = true;
    this.appended++;
  }

  private abandonSegment(): void {
    try {
      if (this.fd !== undefined) closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.fd = undefined;
    this.current = undefined;
    this.appended = 0;
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
  async drain(
    write: (entries: T[]) => Promise<void>,
    batchSize = 500,
    onCorrupt: (file: string, line: number) => void = () => undefined,
  ): Promise<number> {
    let written = 0;
    for (const segment of this.sealedSegments()) {
      const entries = readSegment<T>(segment, onCorrupt);
      for (let i = 0; i < entries.length; i += batchSize) await write(entries.slice(i, i + batchSize));
      unlinkSync(segment);
      written += entries.length;
    }
    return written;
  }

  async close(): Promise<void> {
    clearInterval(this.fsyncTimer);
    this.seal();
    await this.lock.release();
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

/**
 * The records of a segment. A line that is not JSON (torn by a crash or a failed write) is reported and
 * skipped, never allowed to block the records after it.
 */
function readSegment<T>(file: string, onCorrupt: (file: string, line: number) => void): T[] {
  const out: T[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        onCorrupt(file, i + 1);
      }
    });
  return out;
}
