/**
 * `cds keys` — API keys for automation on the endpoints for people:
 *   create --name NAME --role viewer|pharmacist|informaticist|admin   prints the key once (only its hash is kept)
 *   list                                                              names, roles, dates (never the keys)
 *   revoke ID
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { ROLES, createApiKey, type Role } from '../auth/user-auth.js';
import { openKnowledgeDatabase } from '../knowledge/open-knowledge.js';

type Out = (line: string) => void;

export async function keysCommand(
  sub: string | undefined,
  args: string[],
  config: Config,
  out: Out,
  err: Out,
): Promise<number> {
  const db = await openKnowledgeDatabase(config);
  try {
    if (sub === 'create') {
      const { values } = parseArgs({ args, options: { name: { type: 'string' }, role: { type: 'string' } } });
      if (!values.name || !values.role || !(ROLES as readonly string[]).includes(values.role)) {
        err(`usage: cds keys create --name NAME --role ${ROLES.join('|')}`);
        return 2;
      }
      const { id, key } = await createApiKey(db, values.name, values.role as Role);
      out(`created key ${id} for ${values.name} (${values.role}); it is shown only now:`);
      out(key);
      return 0;
    }
    if (sub === 'list') {
      const rows = await db.query<{
        id: string;
        name: string;
        role: string;
        created_at: Date;
        revoked_at: Date | null;
      }>('SELECT id, name, role, created_at, revoked_at FROM cds_api_key ORDER BY created_at');
      for (const r of rows.rows)
        out(
          `${r.id}  ${r.name}  ${r.role}  created ${new Date(r.created_at).toISOString()}${r.revoked_at ? `  revoked ${new Date(r.revoked_at).toISOString()}` : ''}`,
        );
      return 0;
    }
    if (sub === 'revoke' && args[0]) {
      const result = await db.query<{ id: string }>(
        'UPDATE cds_api_key SET revoked_at = now() WHERE id::text = $1 AND revoked_at IS NULL RETURNING id',
        [args[0]],
      );
      if (result.rows.length === 0) {
        err(`no active key ${args[0]}`);
        return 1;
      }
      out(`revoked ${args[0]}`);
      return 0;
    }
    err('usage: cds keys create --name NAME --role ROLE | cds keys list | cds keys revoke ID');
    return 2;
  } finally {
    await db.close();
  }
}
