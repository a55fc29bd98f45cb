/**
 * `cds kb` commands that work on the knowledge database (PostgreSQL at DATABASE_URL, or the embedded PGlite
 * under DATA_DIR — with PGlite, run them while the service is stopped: one process owns the files):
 *   import --format FMT FILE [--activate] [--note TEXT]   load a file (or RxNorm RRF directory) as a new version
 *   versions                                              list versions, the active one marked
 *   activate VERSION                                      make a version active on every replica
 *   stats [VERSION]                                       counts of a version (default: the active one)
 *   diff A B                                              what changed between two versions
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { adminAudit, writeRecords } from '../infra/records.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import type { Database } from '../infra/database.js';
import { createRedis } from '../infra/redis.js';
import { activationChannel } from '../knowledge/database-store.js';
import { ImportError, type ImportContext, type Importer } from '../knowledge/import-record.js';
import { IMPORTERS, listFormats } from '../knowledge/importers/index.js';
import { loadKnowledgeSources, KnowledgeSourceError } from '../knowledge/load-sources.js';
import { openKnowledgeDatabase } from '../knowledge/open-knowledge.js';
import {
  VersionIntegrityError,
  activateVersion,
  activeVersionId,
  diffVersions,
  ensureBundledVersion,
  ingredientNames,
  listVersions,
  sourceRecords,
  versionStats,
  writeVersion,
} from '../knowledge/versions.js';

type Out = (line: string) => void;

/** The `json` format: a directory of knowledge-base source files (the bundled format), validated as a whole. */
const jsonImporter: Importer = {
  format: 'json',
  description:
    'a directory in the knowledge-base/ source format (ingredients.json, products.json, classes.json, interactions/*.json, observations.json)',
  read: (dir) => sourceRecords(loadKnowledgeSources(dir)),
};

export async function kbDatabaseCommand(
  sub: string,
  args: string[],
  config: Config,
  out: Out,
  err: Out,
): Promise<number> {
  let db: Database | undefined;
  try {
    db = await openKnowledgeDatabase(config);
    // An import needs a parent: a fresh database gets the bundled content first (activated only because nothing
    // is). Other commands only read; none of them switches what the service uses.
    if (sub === 'import' && (await activeVersionId(db)) === undefined) {
      await ensureBundledVersion(db, loadKnowledgeSources(config.knowledgeDir));
    }
    switch (sub) {
      case 'import':
        return await importCommand(db, args, config, out, err);
      case 'versions':
        for (const v of await listVersions(db)) {
          out(
            `${v.active ? '*' : ' '} ${v.id}  ${v.source}  ${v.createdAt}  ${Object.entries(v.counts)
              .map(([k, n]) => `${k}=${n}`)
              .join(' ')}${v.note ? `  (${v.note})` : ''}`,
          );
        }
        return 0;
      case 'activate': {
        const [id] = args;
        if (!id) throw new UsageError('cds kb activate VERSION');
        await activateVersion(db, id);
        await auditAdmin(db, 'knowledge-activate', { version: id });
        await announce(config, id, err);
        out(`activated ${id}`);
        return 0;
      }
      case 'stats': {
        const id = args[0] ?? (await activeVersionId(db));
        if (!id) throw new VersionIntegrityError('no knowledge version is active');
        out(JSON.stringify(await versionStats(db, id), null, 2));
        return 0;
      }
      case 'diff': {
        const [a, b] = args;
        if (!a || !b) throw new UsageError('cds kb diff VERSION_A VERSION_B');
        const d = await diffVersions(db, a, b);
        out(`from ${d.from} to ${d.to}`);
        for (const [name, t] of [
          ['interactions', d.interactions],
          ['drugs', d.drugs],
          ['classes', d.classes],
        ] as const) {
          out(`${name}: +${t.added} -${t.removed} ~${t.changed}`);
          for (const [kind, ids] of Object.entries(t.examples))
            if (ids.length > 0) out(`  ${kind}: ${ids.join(', ')}${ids.length === 20 ? ', …' : ''}`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown kb command "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`usage: ${e.message}`);
      return 2;
    }
    if (e instanceof ImportError || e instanceof VersionIntegrityError || e instanceof KnowledgeSourceError) {
      err(`error: ${e.message}`);
      err('nothing was changed');
      return 1;
    }
    throw e;
  } finally {
    await db?.close();
  }
}

class UsageError extends Error {}

async function importCommand(db: Database, args: string[], config: Config, out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string' }, activate: { type: 'boolean', default: false }, note: { type: 'string' } },
  });
  const formats = { json: jsonImporter, ...IMPORTERS };
  const importer = values.format ? formats[values.format as keyof typeof formats] : undefined;
  const file = positionals[0];
  if (!importer || !file) {
    throw new UsageError(
      `cds kb import --format FORMAT FILE [--activate] [--note TEXT]\nformats:\n${[{ format: 'json', description: jsonImporter.description }, ...listFormats()].map((f) => `  ${f.format}: ${f.description}`).join('\n')}`,
    );
  }
  const parent = await activeVersionId(db);
  if (!parent) throw new VersionIntegrityError('no knowledge version is active to import into');
  const names = await ingredientNames(db, parent);
  const skipped: { line: number; reason: string }[] = [];
  const context: ImportContext = {
    ingredientByName: (name) => names.get(name.trim().toLowerCase()),
    progress: (lines) => err(`  read ${lines.toLocaleString('en-US')} lines`),
    skip: (line, reason) => skipped.push({ line, reason }),
  };
  const checksum = await checksumOfPath(file, parent);
  const id = `import-${importer.format}-${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${checksum.slice(0, 8)}`;
  err(`importing ${file} (${importer.format}) on top of ${parent} as ${id}`);
  const started = Date.now();
  const version = await writeVersion(db, importer.read(file, context), {
    id,
    source: `import:${importer.format}`,
    checksum,
    parentId: parent,
    note: values.note ?? path.basename(file),
    onProgress: (n) => {
      if (n % 50_000 === 0) err(`  wrote ${n.toLocaleString('en-US')} records`);
    },
  });
  out(
    `created ${version.id} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.entries(version.counts)
      .map(([k, n]) => `${k}=${n}`)
      .join(' ')}`,
  );
  await auditAdmin(db, 'knowledge-import', {
    version: version.id,
    format: importer.format,
    file: path.basename(file),
    skipped: skipped.length,
  });
  if (skipped.length > 0) {
    out(`skipped ${skipped.length} row(s):`);
    for (const s of skipped.slice(0, 20)) out(`  line ${s.line}: ${s.reason}`);
    if (skipped.length > 20) out(`  … and ${skipped.length - 20} more`);
  }
  if (values.activate) {
    await activateVersion(db, version.id);
    await auditAdmin(db, 'knowledge-activate', { version: version.id });
    await announce(config, version.id, err);
    out(`activated ${version.id}`);
  } else out(`not active yet: cds kb activate ${version.id}`);
  return 0;
}

/** Administrative actions go into the audit trail like service calls (who: the operating-system user). */
async function auditAdmin(
  db: Database,
  action: 'knowledge-import' | 'knowledge-activate',
  detail: Record<string, unknown>,
): Promise<void> {
  await writeRecords(db, [adminAudit(action, `cli:${userInfo().username}`, detail, new Date())]);
}

/** Tells running replicas (through Redis, when configured) that a version is now active. */
async function announce(config: Config, versionId: string, err: Out): Promise<void> {
  if (!config.redisUrl) return;
  const redis = createRedis({ url: config.redisUrl, commandTimeoutMs: 2000 });
  try {
    await new Promise<void>((resolve, reject) => {
      if (redis.status === 'ready') return resolve();
      const timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await redis.publish(activationChannel(config.redisKeyPrefix), versionId);
  } catch (e) {
    err(
      `warning: replicas were not notified through Redis (${(e as Error).message}); they pick the version up within 30 s`,
    );
  } finally {
    redis.disconnect();
  }
}

/** sha256 over a file (or every file of a directory, by name) and the parent version. */
async function checksumOfPath(target: string, parent: string): Promise<string> {
  const hash = createHash('sha256').update(parent).update('\0');
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .sort()
        .map((f) => path.join(target, f))
        .filter((f) => statSync(f).isFile())
    : [target];
  for (const f of files) {
    hash.update(path.basename(f)).update('\0');
    for await (const chunk of createReadStream(f)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
