/**
 * The bundled knowledge base, prepared once at build time (`npm run build`, `cds kb snapshot`) so a start does not
 * redo it: the validated source files as one JSON file, and an embedded database (PGlite) with the migrations
 * applied and the bundled version stored (not activated: the first start activates it and audits that, with its own
 * clock). A first start on a new DATA_DIR copies that database instead of creating one and loading some 20,000 drugs
 * into it (about 12 s on a 2-core machine), and every start reads the sources without validating them again.
 *
 * The snapshot is keyed by a hash of everything that shapes it: the source files, the migrations, the PGlite release
 * and the code that validates and stores the knowledge. A start whose key differs ignores it and does the work
 * itself (as a start without a snapshot does), so a changed source file is never served from a stale snapshot; the
 * next build replaces it.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { migrate, openDatabase } from '../infra/database.js';
import { projectRoot } from '../infra/project-root.js';
import { knowledgeSourcesChecksum, loadKnowledgeSources, type KnowledgeSources } from './load-sources.js';
import { ensureBundledVersion } from './versions.js';

/** Where the build puts the snapshot: beside the compiled code, never committed. */
export const DEFAULT_SNAPSHOT_DIR = path.join(projectRoot, 'dist', 'knowledge-snapshot');

const FORMAT = 'cds-knowledge-snapshot/1';
const KEY_FILE = 'key';
const SOURCES_FILE = 'sources.json';
const DATABASE_DIR = 'pglite';

/**
 * The modules whose code decides what the snapshot holds (validation, the version tables), found beside this one
 * with its own extension, so a snapshot built by other code (dist/ against src/, an older release) is not used.
 */
const SHAPING_MODULES = [
  './load-sources',
  './source-schema',
  './versions',
  '../policy/policy-schema',
  '../infra/database',
  './bundled-snapshot',
];

/** The key a snapshot of the knowledge-base directory must carry to be used. */
export function snapshotKey(knowledgeDir: string): string {
  const hash = createHash('sha256').update(FORMAT).update('\0');
  hash.update(knowledgeSourcesChecksum(knowledgeDir)).update('\0');
  const migrations = path.join(knowledgeDir, 'migrations');
  for (const file of readdirSync(migrations).sort())
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(migrations, file)))
      .update('\0');
  hash.update(pgliteVersion()).update('\0');
  const ext = path.extname(fileURLToPath(import.meta.url));
  for (const module of SHAPING_MODULES)
    hash.update(readFileSync(fileURLToPath(new URL(`${module}${ext}`, import.meta.url)))).update('\0');
  return hash.digest('hex');
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(path.resolve(path.dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export interface BundledSnapshot {
  readonly sources: KnowledgeSources;
  /** A PGlite data directory holding the migrations and the bundled version, to copy to a new DATA_DIR. */
  readonly databaseDir: string;
}

/** The snapshot of this knowledge-base directory, or undefined when there is none or it was built from other inputs. */
export function readSnapshot(knowledgeDir: string, snapshotDir = DEFAULT_SNAPSHOT_DIR): BundledSnapshot | undefined {
  const keyFile = path.join(snapshotDir, KEY_FILE);
  if (!existsSync(keyFile) || readFileSync(keyFile, 'utf8').trim() !== snapshotKey(knowledgeDir)) return undefined;
  return {
    sources: JSON.parse(readFileSync(path.join(snapshotDir, SOURCES_FILE), 'utf8')) as KnowledgeSources,
    databaseDir: path.join(snapshotDir, DATABASE_DIR),
  };
}

/**
 * The bundled sources: from the snapshot when it matches the files, otherwise read and validated from the files.
 * Either way the same value (the snapshot holds what loadKnowledgeSources returned).
 */
export function loadBundledKnowledge(
  knowledgeDir: string,
  snapshotDir = DEFAULT_SNAPSHOT_DIR,
): { sources: KnowledgeSources; snapshot: BundledSnapshot | undefined } {
  const snapshot = readSnapshot(knowledgeDir, snapshotDir);
  return { sources: snapshot?.sources ?? loadKnowledgeSources(knowledgeDir), snapshot };
}

/**
 * Builds the snapshot unless one with the current key is there. Written into a directory of its own and renamed
 * into place, so a build that stops half-way leaves no snapshot rather than a damaged one.
 */
export async function buildSnapshot(
  knowledgeDir: string,
  snapshotDir = DEFAULT_SNAPSHOT_DIR,
): Promise<{ built: boolean; key: string }> {
  const key = snapshotKey(knowledgeDir);
  if (readSnapshot(knowledgeDir, snapshotDir)) return { built: false, key };
  const sources = loadKnowledgeSources(knowledgeDir);
  const work = `${snapshotDir}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const db = await openDatabase({ url: undefined, dataDir: work });
    try {
      await migrate(db, path.join(knowledgeDir, 'migrations'));
      await ensureBundledVersion(db, sources, { activate: false });
      // Everything in the data files, nothing left to replay from the write-ahead log at the first start.
      await db.exec('CHECKPOINT');
    } finally {
      await db.close();
    }
    // openDatabase keeps its database in <dataDir>/pglite: that is the directory a start copies.
    writeFileSync(path.join(work, SOURCES_FILE), JSON.stringify(sources));
    writeFileSync(path.join(work, KEY_FILE), `${key}\n`);
    rmSync(snapshotDir, { recursive: true, force: true });
    renameSync(work, snapshotDir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  return { built: true, key };
}
