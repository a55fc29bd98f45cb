/**
 * A durable local spool for records on their way to PostgreSQL. Appends are queued in memory and written as a
 * group: every record queued since the last write goes down in one write (so a killed process loses nothing once
 * written: the data is in the operating system's hands), and a commit fsyncs that group (so only a crash of the
 * machine or disk before the commit can lose it). The fsync runs on libuv's thread pool, never on the event loop: a
 * slow disk delays the commit, not every request being answered meanwhile. Segments are sealed and drained to the database in order; a
 * segment is deleted only after it was written, and every record has a natural key, so a replay after a failure
 * writes each row exactly once.
 */
import { closeSync, fsync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { lockDirectory, type DirLock } from '../infra/dir-lock.js';

/** A group write the disk refused: its records are lost (the caller counts and logs them). */
export class SpoolWriteError extends Error {
  constructor(
    readonly records: number,
    cause: unknown,
  ) {
    super((cause as Error).message, { cause });
  }
}

export class Spool<T> {
  private fd: number | undefined;
  private current: string | undefined;
  /** Records appended and not yet written, as their lines. */
  private queue: string[] = [];
  private dirty = false;
  private written = 0;
  private sequence = 0;
  /** Writes and fsyncs so far: one per group, never one per record. */
  private readonly counts = { writes: 0, syncs: 0 };
  /** fsyncs under way, by descriptor: a descriptor is closed only once its fsyncs finished. */
  private readonly syncing = new Map<number, Promise<void>>();

  /**
   * Opens a spool directory for this process alone: another process would drain (and delete) the segment this
   * one is writing. The lock goes with the process, however it ends (see dir-lock.ts).
   */
  static async open<T>(dir: string): Promise<Spool<T>> {
    return new Spool<T>(dir, await lockDirectory(dir, 'the record spool'));
  }

  private constructor(
    readonly dir: string,
    private readonly lock: DirLock,
  ) {}

  /** Records not in a sealed segment yet: queued, or written to the current segment. */
  get pending(): number {
    return this.queue.length + this.written;
  }

  /** Queued records (not written yet): what a kill -9 now would lose. */
  get queued(): number {
    return this.queue.length;
  }

  get writes(): number {
    return this.counts.writes;
  }

  get syncs(): number {
    return this.counts.syncs;
  }

  /** Queues a record in memory: no system call. `write()` (or a commit) puts it on disk. */
  append(entry: T): void {
    this.queue.push(`${JSON.stringify(entry)}\n`);
  }

  /** Writes every queued record to the current segment in one write. Throws SpoolWriteError if the disk refuses. */
  write(): void {
    if (this.queue.length === 0) return;
    const lines = this.queue;
    this.queue = [];
    const buffer = Buffer.from(lines.join(''));
    try {
      if (this.fd === undefined) this.openSegment();
      // writeSync may write part of a buffer: keep going until the whole group is down.
      for (let done = 0; done < buffer.length;) done += writeSync(this.fd!, buffer, done);
    } catch (err) {
      // A failed write may leave a torn line: end this segment there, so the next group starts a clean one.
      this.abandonSegment();
      throw new SpoolWriteError(lines.length, err);
    }
    this.counts.writes++;
    this.dirty = true;
    this.written += lines.length;
  }

  /**
   * Writes what is queued and fsyncs the current segment: once this resolves, only a lost disk loses it. Records
   * written while the fsync runs are marked for the next one.
   */
  async commit(): Promise<void> {
    this.write();
    if (this.fd !== undefined && this.dirty) {
      this.dirty = false;
      await this.sync(this.fd);
    }
  }

  private abandonSegment(): void {
    if (this.fd !== undefined) void this.closeFd(this.fd).catch(() => undefined); // already unusable
    this.fd = undefined;
    this.current = undefined;
    this.written = 0;
  }

  /**
   * Writes what is queued, closes the current segment to new records (the next write starts another) and fsyncs
   * and closes it, so it can be drained.
   */
  async seal(): Promise<void> {
    this.write();
    const fd = this.fd;
    if (fd === undefined) return;
    const dirty = this.dirty;
    this.fd = undefined;
    this.current = undefined;
    this.written = 0;
    this.dirty = false;
    try {
      if (dirty) await this.sync(fd);
    } finally {
      await this.closeFd(fd);
    }
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
    await this.seal();
    await this.lock.release();
  }

  /** fsyncs a descriptor on the thread pool (after any fsync of it already under way). */
  private async sync(fd: number): Promise<void> {
    const before = this.syncing.get(fd) ?? Promise.resolve();
    const done = before.catch(() => undefined).then(() => fsyncAsync(fd));
    this.syncing.set(fd, done);
    try {
      await done;
      this.counts.syncs++;
    } finally {
      if (this.syncing.get(fd) === done) this.syncing.delete(fd);
    }
  }

  /** Closes a descriptor once its fsyncs finished (closing under a running fsync could hit a reused number). */
  private async closeFd(fd: number): Promise<void> {
    await this.syncing.get(fd)?.catch(() => undefined);
    closeSync(fd);
  }

  private openSegment(): void {
    // Names sort in creation order across restarts: time, then a sequence within the process.
    const name = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence++).padStart(6, '0')}-${process.pid}.jsonl`;
    this.current = path.join(this.dir, name);
    this.fd = openSync(this.current, 'a', 0o600);
  }
}

const fsyncAsync = promisify(fsync);

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
