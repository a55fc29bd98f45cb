/**
 * Administration for people: the knowledge versions, and activating one (informaticist or admin only; audited
 * with who did it). Activation reaches every replica through the knowledge store.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { HttpError, errors } from '../errors.js';
import type { Database } from '../infra/database.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { VersionIntegrityError, listVersions } from '../knowledge/versions.js';
import type { CardRecords } from '../feedback/card-records.js';
import type { UserIdentity } from '../auth/user-auth.js';

export interface AdminGuards {
  readonly read: preHandlerHookHandler;
  readonly change: preHandlerHookHandler;
}

const Activate = z.object({ version: z.string().min(1).max(200) }).strict();

export function registerAdminRoutes(app: FastifyInstance, guards: AdminGuards, knowledge: KnowledgeStore, db: Database, records: CardRecords): void {
  app.get('/admin/knowledge/versions', { preHandler: guards.read }, async () => ({ versions: await listVersions(db) }));

  app.post('/admin/knowledge/activate', { preHandler: guards.change }, async (req) => {
    const parsed = Activate.safeParse(req.body);
    if (!parsed.success) throw errors.badRequest('send {"version": "<knowledge version id>"}');
    if (!knowledge.activate) throw new HttpError(409, 'CDS_ERR_BAD_REQUEST', 'this knowledge store cannot switch versions');
    try {
      await knowledge.activate(parsed.data.version);
    } catch (err) {
      if (err instanceof VersionIntegrityError) throw errors.notFound(`knowledge version ${parsed.data.version}`);
      throw err;
    }
    const user = (req as { user?: UserIdentity }).user;
    records.recordAdmin('knowledge-activate', `user:${user?.subject ?? 'unknown'}`, { version: parsed.data.version });
    req.log.info({ version: parsed.data.version, by: user?.subject }, 'knowledge version activated');
    return { active: parsed.data.version };
  });
}
