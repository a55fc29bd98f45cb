/**
 * Takes records from the request path and gets them to PostgreSQL in the background: every record queued during one
 * turn of the event loop goes to the spool file in one write at the end of that turn (the answers of the turn are
 * sent once it is made: no fsync, no database); every flush interval one commit fsyncs them all, and the spool is
 * drained to the database in batches. Feedback and audit events of people's actions are committed
 * (written and fsynced) before their answer instead. While the database is down, records wait in the spool and are
 * written in order when it returns; on shutdown the spool is drained for a bounded time, and what cannot be written
 * then stays on disk for the next start.
 */
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../infra/database.js';
import { writeRecords, type RecordEntry } from '../infra/records.js';
import { Spool, SpoolWriteError } from './spool.js';

export interface RecorderOptions {
  readonly db: Database;
  readonly spoolDir: string;
  /** How often the spool is committed (fsynced) and drained to the database. */
  readonly flushIntervalMs: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export class Recorder {
  private timer: NodeJS.Timeout | undefined;
  /** The group write of this event-loop turn, once a record is queued in it. */
  private group: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  /** Callers of `afterNextFlush()` waiting for a flush that starts after their call. */
  private waiting: (() => void)[] = [];
  private batches = 0;
  private lastError: string | undefined;
  private written = 0;
  private lost = 0;
  /** Records in the dead-letter file, including those an earlier run set aside (until `cds records replay`). */
  private deadLettered: number;

  /** Opens the spool (refused while another process holds it). */
  static async open(options: RecorderOptions): Promise<Recorder> {
    return new Recorder(options, await Spool.open<RecordEntry>(options.spoolDir));
  }

  private constructor(
    private readonly options: RecorderOptions,
    private readonly spool: Spool<RecordEntry>,
  ) {
    this.deadLettered = readDeadLetters(options.spoolDir).length;
  }

  /** Replays whatever an earlier run left in the spool, then flushes periodically. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
    void this.flush();
  }

  /**
   * Queues a record: it is written to the spool with every other record queued in this event-loop turn, in one
   * write at the end of the turn (`spooled()` resolves then). A failing disk is logged and counted, never a failed
   * request.
   */
  record(entry: RecordEntry): void {
    this.spool.append(entry);
    this.group ??= new Promise((resolve) =>
      setImmediate(() => {
        this.group = undefined;
        void this.guard(() => this.spool.write()).then(resolve);
      }),
    );
  }

  /**
   * Resolves once the records queued so far are written to the spool (with the operating system: a kill -9 no
   * longer loses them; not fsynced: that is the flush's commit). A service call's answer waits for this, and
   * every call answered in the same turn shares the one write.
   */
  spooled(): Promise<void> {
    return this.group ?? Promise.resolve();
  }

  /**
   * Records that must be on disk before the caller answers (feedback, audit events of people's actions): written
   * with whatever is queued and fsynced now. A failing disk is logged and counted, as for `record`.
   */
  async recordDurably(entries: readonly RecordEntry[]): Promise<void> {
    for (const entry of entries) this.spool.append(entry);
    await this.guard(() => this.spool.commit());
  }

  /** Runs a spool write; records the disk refused are counted and logged, never thrown at a request. */
  private async guard(write: () => void | Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.lost += err instanceof SpoolWriteError ? err.records : 0;
      this.options.log?.('records could not be written to the local spool', {
        reason: (err as Error).message,
        ...(err instanceof SpoolWriteError ? { records: err.records } : {}),
      });
    }
  }

  /** Resolves once a flush that starts after this call has finished (written or not). */
  afterNextFlush(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Commits the spool (one write and one fsync for everything since the last flush), seals the segment and
   * writes every sealed segment to the database in batches; one flush at a time.
   */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      const waiters = this.waiting;
      this.waiting = [];
      try {
        // While the database is away, keep committing to one segment instead of sealing one per interval.
        const waiting = this.lastError !== undefined && this.spool.sealedSegments().length > 0;
        await this.guard(() => (this.spool.pending > 0 && !waiting ? this.spool.seal() : this.spool.commit()));
        this.written += await this.spool.drain(
          (entries) => this.write(entries),
          500,
          (file, line) => {
            this.lost++;
            this.options.log?.('a torn line in the spool was skipped', { file: path.basename(file), line });
          },
        );
        if (this.lastError) this.options.log?.('records reach the database again');
        this.lastError = undefined;
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastError)
          this.options.log?.('records kept in the local spool until the database is back', { reason: message });
        this.lastError = message;
      } finally {
        this.flushing = undefined;
        for (const resolve of waiters) resolve();
      }
    })();
    return this.flushing;
  }

  /**
   * Writes a batch; when the database refuses a row's data (SQLSTATE class 22 or 23), each record is tried
   * alone and any it refuses goes to a dead-letter file, so one bad record cannot hold up every later one.
   */
  private async write(entries: RecordEntry[]): Promise<void> {
    try {
      this.batches++;
      await writeRecords(this.options.db, entries);
    } catch (err) {
      if (!isDataError(err)) throw err;
      for (const entry of entries) {
        try {
          await writeRecords(this.options.db, [entry]);
        } catch (one) {
          if (!isDataError(one)) throw one;
          this.deadLettered++;
          appendFileSync(
            path.join(this.options.spoolDir, DEAD_LETTER_FILE),
            `${JSON.stringify({ reason: (one as Error).message, entry } satisfies DeadLetter)}\n`,
            { mode: 0o600 },
          );
          this.options.log?.('a record the database refuses was set aside in dead-letter.ndjson', {
            reason: (one as Error).message,
            type: entry.type,
          });
        }
      }
    }
  }

  /**
   * Resolves once every record appended before the call is in the database, or as soon as a flush fails (the
   * rest then waits in the spool): the completion signal for whoever must read what was just recorded.
   */
  async settled(): Promise<RecordsStatus> {
    if (this.flushing) await this.flushing;
    do await this.flush();
    while (this.backlog() > 0 && this.lastError === undefined);
    return this.status();
  }

  /** Stops the timer and drains for at most `timeoutMs`; anything left stays in the spool. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const until = Date.now() + timeoutMs;
    await this.flush();
    while (this.backlog() > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      await this.flush();
    }
    await this.spool.close();
  }

  /** Records not yet in the database (sealed segments count as their files). */
  backlog(): number {
    try {
      return this.spool.pending + this.spool.sealedSegments().length;
    } catch {
      return this.spool.pending;
    }
  }

  /**
   * Seconds since the oldest sealed spool segment waiting for the database was sealed (0 when none waits): how far
   * behind the database the records are. Wall-clock, for the metrics.
   */
  backlogAgeSeconds(nowMs: number = Date.now()): number {
    try {
      const oldest = this.spool.sealedSegments()[0];
      return oldest ? Math.max(0, (nowMs - statSync(oldest).mtimeMs) / 1000) : 0;
    } catch {
      return 0;
    }
  }

  status(): RecordsStatus {
    return {
      written: this.written,
      backlog: this.backlog(),
      lost: this.lost,
      deadLettered: this.deadLettered,
      lastError: this.lastError,
      spoolWrites: this.spool.writes,
      spoolSyncs: this.spool.syncs,
      batches: this.batches,
    };
  }
}

export interface RecordsStatus {
  /** Records written to the database by this process. */
  readonly written: number;
  readonly backlog: number;
  /** Records the disk refused. */
  readonly lost: number;
  readonly deadLettered: number;
  readonly lastError: string | undefined;
  /** Group writes to the spool file and fsyncs of it, and batches sent to the database: never one per record. */
  readonly spoolWrites: number;
  readonly spoolSyncs: number;
  readonly batches: number;
}

/** Records the database refused, with its reason, in the spool directory. */
export const DEAD_LETTER_FILE = 'dead-letter.ndjson';

export interface DeadLetter {
  readonly reason: string;
  readonly entry: RecordEntry;
}

/** The set-aside records of a spool directory (none when there is no file); a torn line is skipped. */
export function readDeadLetters(spoolDir: string): DeadLetter[] {
  const file = path.join(spoolDir, DEAD_LETTER_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as DeadLetter];
      } catch {
        return [];
      }
    });
}

/** PostgreSQL data exceptions (22xxx) and integrity violations (23xxx): the row, not the connection, is the problem. */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
