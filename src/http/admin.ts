/**
 * Administration for people: the knowledge versions and activating one, and the site's changes to a policy
 * (informaticist or admin only for changes; each audited with who did it).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, errors } from '../errors.js';
import type { Database } from '../infra/database.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { VersionIntegrityError, listVersions } from '../knowledge/versions.js';
import type { CardRecords } from '../feedback/card-records.js';
import { ROLES, type UserIdentity } from '../auth/user-auth.js';
import { people } from './route-access.js';
import type { PolicyStore } from '../policy/policy-store.js';

const READ = { access: people(ROLES) };
const CHANGE = { access: people(['informaticist', 'admin']) };

const Activate = z.object({ version: z.string().min(1).max(200) }).strict();
const PolicyChange = z
  .object({ indicator: z.enum(['info', 'warning', 'critical', 'suppress']), note: z.string().min(10).max(2000) })
  .strict();

export function registerAdminRoutes(
  app: FastifyInstance,
  knowledge: KnowledgeStore,
  db: Database,
  records: CardRecords,
  policies: PolicyStore,
): void {
  app.get('/admin/policies', { config: READ }, async () => ({ policies: [...policies.policies().values()] }));

  /**
   * A site's indicator for one interaction in one policy (ONC high-priority pairs still never fall below the
   * policy's floor). The reason is required; who and when are recorded, and the change is audited.
   */
  app.put<{ Params: { policy: string; interaction: string } }>(
    '/admin/policies/:policy/interactions/:interaction',
    { config: CHANGE },
    async (req) => {
      const { policy, interaction } = req.params;
      if (!policies.policies().has(policy)) throw errors.notFound(`policy ${policy.slice(0, 100)}`);
      const parsed = PolicyChange.safeParse(req.body);
      if (!parsed.success)
        throw errors.badRequest(
          'send {"indicator": "info|warning|critical|suppress", "note": "why (at least 10 characters)"}',
        );
      const known = await db.query(
        'SELECT 1 FROM kb_interaction i JOIN kb_active_version a ON a.version_id = i.version_id WHERE i.id = $1',
        [interaction],
      );
      if (known.rows.length === 0) throw errors.notFound(`interaction ${interaction} in the active knowledge version`);
      const user = (req as { user?: UserIdentity }).user;
      await policies.change(policy, interaction, parsed.data, user?.subject ?? 'unknown');
      records.recordAdmin('policy-change', `user:${user?.subject ?? 'unknown'}`, {
        policy,
        interaction,
        ...parsed.data,
      });
      return { policy, interaction, ...parsed.data };
    },
  );

  app.delete<{ Params: { policy: string; interaction: string } }>(
    '/admin/policies/:policy/interactions/:interaction',
    { config: CHANGE },
    async (req, reply) => {
      const { policy, interaction } = req.params;
      if (!policies.policies().has(policy)) throw errors.notFound(`policy ${policy}`);
      const user = (req as { user?: UserIdentity }).user;
      await policies.change(policy, interaction, undefined, user?.subject ?? 'unknown');
      records.recordAdmin('policy-change', `user:${user?.subject ?? 'unknown'}`, {
        policy,
        interaction,
        removed: true,
      });
      return reply.code(204).send();
    },
  );

  app.get('/admin/knowledge/versions', { config: READ }, async () => ({ versions: await listVersions(db) }));

  app.post('/admin/knowledge/activate', { config: CHANGE }, async (req) => {
    const parsed = Activate.safeParse(req.body);
    if (!parsed.success) throw errors.badRequest('send {"version": "<knowledge version id>"}');
    if (!knowledge.activate)
      throw new HttpError(409, 'CDS_ERR_BAD_REQUEST', 'this knowledge store cannot switch versions');
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
