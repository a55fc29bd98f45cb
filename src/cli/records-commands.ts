/**
 * `cds records replay`: writes again the records the database refused (DATA_DIR/spool/dead-letter.ndjson), once
 * the cause is fixed (a migration, a corrected constraint). Run it on the stopped replica whose DATA_DIR it is:
 * the running service appends to that file and holds the spool (with the embedded database, its files too).
 * Every record has a natural key, so a replay writes each at most once; a record still refused stays in the file
 * with the new reason, and a line that is not JSON stays as it is. Nothing is dropped.
 */
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { DirectoryLockedError, lockDirectory } from '../infra/dir-lock.js';
import { DEAD_LETTER_FILE, isDataError, type DeadLetter } from '../feedback/recorder.js';
import { writeRecords } from '../infra/records.js';
import { openKnowledgeDatabase } from '../knowledge/open-knowledge.js';

type Out = (line: string) => void;

export async function recordsCommand(sub: string | undefined, config: Config, out: Out, err: Out): Promise<number> {
  if (sub !== 'replay') {
    err('usage: cds records replay');
    return 2;
  }
  const spoolDir = path.resolve(config.dataDir, 'spool');
  let lock;
  try {
    lock = await lockDirectory(spoolDir, 'the record spool');
  } catch (e) {
    if (!(e instanceof DirectoryLockedError)) throw e;
    err(`${e.message}: stop that service first (it appends to the dead-letter file), then replay and start it again`);
    return 1;
  }
  try {
    const file = path.join(spoolDir, DEAD_LETTER_FILE);
    const lines = existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
      : [];
    if (lines.length === 0) {
      out('no records are set aside');
      return 0;
    }
    const db = await openKnowledgeDatabase(config);
    const kept: string[] = [];
    const reasons = new Map<string, number>();
    let written = 0;
    try {
      for (const [i, line] of lines.entries()) {
        let letter: DeadLetter;
        try {
          letter = JSON.parse(line) as DeadLetter;
        } catch {
          kept.push(line);
          err(`line ${i + 1} is not a record (torn by a crash?): kept as it is`);
          continue;
        }
        try {
          await writeRecords(db, [letter.entry]);
          written++;
        } catch (e) {
          if (!isDataError(e)) {
            // The database went away: what was not tried yet stays for the next replay.
            kept.push(...lines.slice(i));
            throw e;
          }
          const reason = (e as Error).message;
          kept.push(JSON.stringify({ reason, entry: letter.entry } satisfies DeadLetter));
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
      }
    } finally {
      rewrite(file, kept);
      await db.close();
    }
    out(`${written} ${written === 1 ? 'record' : 'records'} written; ${kept.length} still set aside in ${file}`);
    for (const [reason, n] of reasons) out(`  ${n} refused: ${reason}`);
    return kept.length === 0 ? 0 : 1;
  } finally {
    await lock.release();
  }
}

/** Replaces the file in one step (a crash leaves the old file or the new one, never half of it). */
function rewrite(file: string, lines: readonly string[]): void {
  if (lines.length === 0) {
    unlinkSync(file);
    return;
  }
  writeFileSync(`${file}.tmp`, `${lines.join('\n')}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
