/**
 * Administration for people: the knowledge versions and activating one, and the site's changes to a policy
 * and a guideline rule's site status (informaticist or admin only for changes; each audited with who did it).
 */
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../errors.js';
import type { Database } from '../infra/database.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { VersionIntegrityError, listVersions } from '../knowledge/versions.js';
import type { CardRecords } from '../feedback/card-records.js';
import { ROLES, type UserIdentity } from '../auth/user-auth.js';
import { people } from './route-access.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { RuleRegistry } from '../rules/registry.js';
import type { RuleStatusStore, SiteRuleStatus } from '../rules/rule-status-store.js';

const READ = { access: people(ROLES) };
const CHANGE = { access: people(['informaticist', 'admin']) };

interface PolicyChange {
  indicator: 'info' | 'warning' | 'critical' | 'suppress';
  note: string;
}
interface PairParams {
  policy: string;
  interaction: string;
}

const PairParams = {
  type: 'object',
  required: ['policy', 'interaction'],
  properties: { policy: { type: 'string' }, interaction: { type: 'string' } },
} as const;
const PolicyChange = {
  type: 'object',
  additionalProperties: false,
  required: ['indicator', 'note'],
  properties: {
    indicator: { type: 'string', enum: ['info', 'warning', 'critical', 'suppress'] },
    note: { type: 'string', minLength: 10, maxLength: 2000 },
  },
} as const;
const PolicyChanged = {
  type: 'object',
  required: ['policy', 'interaction', 'indicator', 'note'],
  properties: { policy: { type: 'string' }, interaction: { type: 'string' }, ...PolicyChange.properties },
} as const;
const RuleParams = {
  type: 'object',
  required: ['rule'],
  properties: { rule: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,79}$' } },
} as const;
const RuleStatusChange = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'note'],
  properties: {
    status: { type: 'string', enum: ['active', 'shadow'] },
    note: { type: 'string', minLength: 10, maxLength: 2000 },
  },
} as const;
const Activate = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export interface AdminOptions {
  readonly knowledge: KnowledgeStore;
  readonly db: Database;
  readonly records: CardRecords;
  readonly policies: PolicyStore;
  /** The loaded guideline rules and the site's status changes of them (without them, no rule status route). */
  readonly rules?: { readonly registry: RuleRegistry; readonly status: RuleStatusStore };
}

export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (
  app,
  { knowledge, db, records, policies, rules },
) => {
  app.get('/admin/policies', { config: READ }, async () => ({ policies: [...policies.policies().values()] }));

  /**
   * A site's indicator for one interaction in one policy (ONC high-priority pairs still never fall below the
   * policy's floor). The reason is required; who and when are recorded, and the change is audited.
   */
  app.put<{ Params: PairParams; Body: PolicyChange }>(
    '/admin/policies/:policy/interactions/:interaction',
    {
      config: CHANGE,
      schema: {
        params: PairParams,
        body: PolicyChange,
        response: { 200: PolicyChanged },
      },
    },
    async (req) => {
      const { policy, interaction } = req.params;
      if (!policies.policies().has(policy)) throw errors.notFound(`policy ${policy.slice(0, 100)}`);
      const change = { indicator: req.body.indicator, note: req.body.note };
      const known = await db.query(
        'SELECT 1 FROM kb_interaction i JOIN kb_active_version a ON a.version_id = i.version_id WHERE i.id = $1',
        [interaction],
      );
      if (known.rows.length === 0) throw errors.notFound(`interaction ${interaction} in the active knowledge version`);
      const user = (req as { user?: UserIdentity }).user;
      await policies.change(policy, interaction, change, user?.subject ?? 'unknown');
      await records.recordAdmin('policy-change', `user:${user?.subject ?? 'unknown'}`, {
        policy,
        interaction,
        ...change,
      });
      return { policy, interaction, ...change };
    },
  );

  app.delete<{ Params: PairParams }>(
    '/admin/policies/:policy/interactions/:interaction',
    { config: CHANGE, schema: { params: PairParams } },
    async (req, reply) => {
      const { policy, interaction } = req.params;
      if (!policies.policies().has(policy)) throw errors.notFound(`policy ${policy}`);
      const user = (req as { user?: UserIdentity }).user;
      await policies.change(policy, interaction, undefined, user?.subject ?? 'unknown');
      await records.recordAdmin('policy-change', `user:${user?.subject ?? 'unknown'}`, {
        policy,
        interaction,
        removed: true,
      });
      return reply.code(204).send();
    },
  );

  /**
   * The site's status of a guideline rule (`active` or `shadow`), for the version and content loaded now: a newer
   * file falls back to its own status. Used to set a promoted rule back to shadow (promotions come from the
   * analytics). The reason is required; who and when are recorded, and the change is audited.
   */
  if (rules)
    app.put<{ Params: { rule: string }; Body: { status: SiteRuleStatus; note: string } }>(
      '/admin/rules/:rule/status',
      { config: CHANGE, schema: { params: RuleParams, body: RuleStatusChange } },
      async (req) => {
        const loaded = rules.registry.list().find((r) => r.id === req.params.rule);
        if (!loaded) throw errors.notFound(`rule ${req.params.rule}`);
        if (loaded.fileStatus === 'retired') throw errors.conflict(`rule ${loaded.id} is retired in its file`);
        const user = (req as { user?: UserIdentity }).user;
        const who = user?.subject ?? 'unknown';
        const { status, note } = req.body;
        const { version, checksum } = loaded;
        const changed = await rules.status.change({ id: loaded.id, version, checksum }, { status, note }, who);
        await records.recordAdmin('rule-status-change', `user:${who}`, {
          rule: loaded.id,
          version,
          checksum,
          status,
          note,
          from: loaded.status,
        });
        return {
          rule: loaded.id,
          version,
          status,
          note,
          changedBy: changed.changedBy,
          changedAt: changed.changedAt,
        };
      },
    );

  app.get('/admin/knowledge/versions', { config: READ }, async () => ({ versions: await listVersions(db) }));

  app.post<{ Body: { version: string } }>(
    '/admin/knowledge/activate',
    {
      config: CHANGE,
      schema: {
        body: Activate,
        response: { 200: { type: 'object', required: ['active'], properties: { active: { type: 'string' } } } },
      },
    },
    async (req) => {
      const { version } = req.body;
      if (!knowledge.activate) throw errors.conflict('this knowledge store cannot switch versions');
      try {
        await knowledge.activate(version);
      } catch (err) {
        if (err instanceof VersionIntegrityError) throw errors.notFound(`knowledge version ${version}`);
        throw err;
      }
      const user = (req as { user?: UserIdentity }).user;
      await records.recordAdmin('knowledge-activate', `user:${user?.subject ?? 'unknown'}`, { version });
      req.log.info({ version, by: user?.subject }, 'knowledge version activated');
      return { active: version };
    },
  );
};
