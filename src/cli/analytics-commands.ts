/**
 * `cds analytics`: the numbers of GET /analytics/alerts and /analytics/proposals, from the same query layer
 * (src/feedback/analytics.ts), read from the database; and `apply`, a proposed demotion or shadow rule promotion
 * made as the same audited change as POST /analytics/proposals/:id/apply (recorded as done by `cli:<user>`).
 * Running services pick the change up within seconds (the policy and rule status stores re-read the site's changes).
 *   alerts [--from D] [--to D] [--group-by G] [--format json|csv] [--severity S] [--hook H] [--service S] [--client C]
 *   proposals [--from D] [--to D] [--min-shown N]
 *   apply ID --note TEXT [--from D] [--to D] [--min-shown N]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import {
  ProposalError,
  alertAnalytics,
  analyticsCsv,
  applyProposal,
  proposals,
  type ProposalDeps,
} from '../feedback/analytics.js';
import { AnalyticsParamError, parseAnalyticsParams, parseThresholds } from '../http/analytics.js';
import { adminAudit, writeRecords } from '../infra/records.js';
import type { Database } from '../infra/database.js';
import { loadKnowledgeSources } from '../knowledge/load-sources.js';
import { openKnowledgeDatabase } from '../knowledge/open-knowledge.js';
import { PolicyStore } from '../policy/policy-store.js';
import { ruleFiles } from '../rules/load-rules.js';
import { RuleStatusStore, effectiveStatus, readRuleStatusOverrides } from '../rules/rule-status-store.js';

type Out = (line: string) => void;

const USAGE = `usage:
  cds analytics alerts [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--group-by alert|severity|hook|service|client]
                       [--format json|csv] [--severity S] [--hook H] [--service S] [--client C]
  cds analytics proposals [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--min-shown N]
  cds analytics apply ID --note TEXT [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--min-shown N]`;

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  'group-by': { type: 'string' },
  format: { type: 'string' },
  severity: { type: 'string' },
  hook: { type: 'string' },
  service: { type: 'string' },
  client: { type: 'string' },
  'min-shown': { type: 'string' },
  note: { type: 'string' },
} as const;

export interface AnalyticsCommandDeps {
  /** The clock the default period ends on (tests pass theirs). */
  readonly now?: () => Date;
  /** Who the audit trail names (default: `cli:` and the operating-system user). */
  readonly who?: string;
}

export async function analyticsCommand(
  sub: string | undefined,
  args: string[],
  config: Config,
  out: Out,
  err: Out,
  deps: AnalyticsCommandDeps = {},
): Promise<number> {
  if (sub !== 'alerts' && sub !== 'proposals' && sub !== 'apply') {
    err(USAGE);
    return 2;
  }
  let values: Partial<Record<keyof typeof OPTIONS, string>>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const now = (deps.now ?? (() => new Date()))();
  let query;
  let thresholds;
  try {
    query = parseAnalyticsParams(
      {
        from: values.from,
        to: values.to,
        groupBy: values['group-by'],
        format: values.format,
        severity: values.severity,
        hook: values.hook,
        service: values.service,
        client: values.client,
      },
      now,
    );
    thresholds = parseThresholds(values['min-shown']);
  } catch (e) {
    if (!(e instanceof AnalyticsParamError)) throw e;
    err(e.message);
    return 2;
  }
  if (sub === 'apply' && (positionals.length !== 1 || !values.note)) {
    err(`apply needs a proposal id and --note\n${USAGE}`);
    return 2;
  }
  if (sub === 'apply' && (values.note!.length < 10 || values.note!.length > 2000)) {
    err('--note must be 10 to 2000 characters: say why the change is made');
    return 2;
  }
  const db = await openKnowledgeDatabase(config);
  try {
    const policies = new PolicyStore(
      new Map(loadKnowledgeSources(config.knowledgeDir).policies.map((p) => [p.id, p])),
      db,
    );
    await policies.refresh();
    const rules = ruleIndex(config.rulesDir);
    const site = new Map((await readRuleStatusOverrides(db)).map((o) => [o.ruleId, o]));
    const analyticsDeps: ProposalDeps = {
      db,
      publicBaseUrl: config.publicBaseUrl,
      policies: policies.policies(),
      labels: { rule: (id) => rules.get(id)?.title },
      ruleStatus: (id) => {
        const rule = rules.get(id);
        return rule && effectiveStatus(rule, site.get(id));
      },
      canPromote: true,
    };
    if (sub === 'alerts') {
      const result = await alertAnalytics(analyticsDeps, query);
      out(query.format === 'csv' ? analyticsCsv(result).trimEnd() : JSON.stringify(result, null, 2));
      return 0;
    }
    if (sub === 'proposals') {
      out(JSON.stringify(await proposals(analyticsDeps, query, thresholds), null, 2));
      return 0;
    }
    return await apply(
      { db, policies, rules },
      analyticsDeps,
      query,
      positionals[0]!,
      values.note!,
      thresholds,
      deps,
      out,
      err,
    );
  } finally {
    await db.close();
  }
}

async function apply(
  { db, policies, rules }: { db: Database; policies: PolicyStore; rules: ReturnType<typeof ruleIndex> },
  analyticsDeps: ProposalDeps,
  period: { from: string; to: string },
  id: string,
  note: string,
  thresholds: ReturnType<typeof parseThresholds>,
  deps: AnalyticsCommandDeps,
  out: Out,
  err: Out,
): Promise<number> {
  const user = deps.who ?? `cli:${userInfo().username}`;
  const now = deps.now ?? (() => new Date());
  const audit = (action: 'policy-change' | 'rule-status-change', detail: Record<string, unknown>) =>
    writeRecords(db, [adminAudit(action, user, detail, now())]);
  try {
    const applied = await applyProposal(
      analyticsDeps,
      period,
      id,
      note,
      user,
      {
        policy: async (policy, interaction, indicator, detail) => {
          await policies.change(policy, interaction, { indicator, note }, user);
          await audit('policy-change', { policy, interaction, indicator, note, ...detail });
        },
        ruleStatus: async (rule, status, detail) => {
          const file = rules.get(rule);
          if (!file) return undefined;
          const { version, checksum } = file;
          await new RuleStatusStore(db, () => undefined, now).change(
            { id: rule, version, checksum },
            { status, note },
            user,
          );
          await audit('rule-status-change', { rule, version, checksum, status, note, ...detail });
          return { version };
        },
      },
      thresholds,
    );
    out(JSON.stringify({ applied }, null, 2));
    return 0;
  } catch (e) {
    if (!(e instanceof ProposalError)) throw e;
    err(e.message);
    return 1;
  }
}

interface IndexedRule {
  readonly title: string;
  readonly status: string;
  readonly version: string;
  /** sha256 of the file's text, as the service's registry computes it: what a promotion is made for. */
  readonly checksum: string;
}

/**
 * The rule files' ids, titles, status, version and checksum, read as they are (no compiling): labels, which rules
 * are still in shadow, and what a promotion applies to. A file that is not a rule is skipped (`cds rules lint`
 * reports it).
 */
function ruleIndex(dir: string): Map<string, IndexedRule> {
  const index = new Map<string, IndexedRule>();
  for (const file of ruleFiles(dir)) {
    try {
      const text = readFileSync(file, 'utf8');
      const rule = JSON.parse(text) as { id?: unknown; title?: unknown; status?: unknown; version?: unknown };
      if (
        typeof rule.id === 'string' &&
        typeof rule.title === 'string' &&
        typeof rule.status === 'string' &&
        typeof rule.version === 'string'
      )
        index.set(rule.id, {
          title: rule.title,
          status: rule.status,
          version: rule.version,
          checksum: createHash('sha256').update(text).digest('hex'),
        });
    } catch {
      // not JSON: not a rule this listing can name
    }
  }
  return index;
}
