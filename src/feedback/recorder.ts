/**
 * Takes records from the request path (a local append, no database wait) and writes them to PostgreSQL in
 * batches in the background. While the database is down, records wait in the spool and are written in order
 * when it returns; on shutdown the spool is drained for a bounded time, and what cannot be written then stays
 * on disk for the next start.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../infra/database.js';
import { writeRecords, type RecordEntry } from '../infra/records.js';
import { Spool } from './spool.js';

export interface RecorderOptions {
  readonly db: Database;
  readonly spoolDir: string;
  /** How often the spool is flushed to the database. */
  readonly flushIntervalMs: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export class Recorder {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
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

  /** Appends a record; a failing disk is logged and counted, never turned into a failed request. */
  record(entry: RecordEntry): void {
    try {
      this.spool.append(entry);
    } catch (err) {
      this.lost++;
      this.options.log?.('a record could not be written to the local spool', {
        reason: (err as Error).message,
        type: entry.type,
      });
    }
  }

  /** Seals the current segment and writes every sealed segment; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        // While the database is away, keep appending to one segment instead of sealing one per interval.
        const waiting = this.lastError !== undefined && this.spool.sealedSegments().length > 0;
        if (this.spool.pending > 0 && !waiting) this.spool.seal();
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
  async settled(): Promise<{ backlog: number; lastError: string | undefined }> {
    if (this.flushing) await this.flushing;
    do await this.flush();
    while (this.backlog() > 0 && this.lastError === undefined);
    return { backlog: this.backlog(), lastError: this.lastError };
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

  status(): { written: number; backlog: number; lost: number; deadLettered: number; lastError: string | undefined } {
    return {
      written: this.written,
      backlog: this.backlog(),
      lost: this.lost,
      deadLettered: this.deadLettered,
      lastError: this.lastError,
    };
  }
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
