/**
 * GET /audit: the audit trail as a FHIR R4 searchset Bundle of AuditEvent resources, newest first, with
 * `_count` paging (a `next` link carries an opaque cursor) and filters `date` (ge/gt/le/lt, repeatable),
 * `client` and `action`. Patients appear only as keyed hashes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../errors.js';
import type { Database } from '../infra/database.js';
import { people } from './route-access.js';
import { isValidInstant } from './query-values.js';

const AUDITORS = people(['informaticist', 'admin']);

const ACTIONS = [
  'service-call',
  'feedback',
  'knowledge-import',
  'knowledge-activate',
  'policy-change',
  'rule-status-change',
] as const;
const FHIR_ACTION: Record<string, string> = {
  'service-call': 'E',
  feedback: 'C',
  'knowledge-import': 'C',
  'knowledge-activate': 'U',
  'policy-change': 'U',
  'rule-status-change': 'U',
};
const FHIR_OUTCOME: Record<string, string> = { success: '0', incomplete: '4', 'client-error': '4', failed: '8' };

interface AuditRow {
  id: string;
  recorded_at: Date | string;
  action: string;
  client: string | null;
  patient_hash: string | null;
  service: string | null;
  hook: string | null;
  card_count: number | null;
  duration_ms: string | number | null;
  outcome: string;
  detail: Record<string, unknown>;
}

interface AuditQuery {
  _count?: string;
  date?: string | string[];
  client?: string;
  action?: (typeof ACTIONS)[number];
  _cursor?: string;
}

/** Each parameter once (a list is refused), except `date`, which may repeat to give a range. */
const AuditSearch = {
  querystring: {
    type: 'object',
    properties: {
      _count: { type: 'string' },
      date: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      client: { type: 'string', maxLength: 500 },
      action: { type: 'string', enum: ACTIONS },
      _cursor: { type: 'string' },
    },
  },
} as const;

const AuditParams = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
} as const;

export interface AuditOptions {
  readonly db: Database;
  readonly publicBaseUrl: string;
}

/** GET /audit (the searchset) and GET /audit/{id} (one AuditEvent, the `fullUrl` of each Bundle entry). */
export const auditRoutes: FastifyPluginAsync<AuditOptions> = async (app, { db, publicBaseUrl }) => {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    { config: { access: AUDITORS }, schema: AuditSearch },
    async (req, reply) => {
      const q = req.query;
      const count = q._count === undefined ? 50 : Number(q._count);
      if (!Number.isInteger(count) || count < 1 || count > 500)
        throw errors.badRequest('_count must be a whole number from 1 to 500');
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      for (const d of [q.date ?? []].flat()) {
        const m =
          /^(ge|gt|le|lt|eq)?(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)$/.exec(d);
        if (!m || !isValidInstant(m[2]!))
          throw errors.badRequest(`date "${d.slice(0, 40)}" is not [ge|gt|le|lt|eq]YYYY-MM-DD[Thh:mm[:ss]Z]`);
        const op = { ge: '>=', gt: '>', le: '<=', lt: '<', eq: '=' }[(m[1] ?? 'eq') as 'ge'];
        if (m[2]!.length === 10 && (op === '=' || op === '<=' || op === '>')) {
          // A whole day: eq means within it, le/gt compare with its end.
          if (op === '=') {
            add('recorded_at >= ?::date', m[2]);
            add("recorded_at < ?::date + interval '1 day'", m[2]);
          } else add(`recorded_at ${op === '<=' ? '<' : '>='} ?::date + interval '1 day'`, m[2]);
        } else add(`recorded_at ${op} ?::timestamptz`, m[2]);
      }
      if (q.client !== undefined) add('client = ?', q.client);
      if (q.action !== undefined) add('action = ?', q.action);
      if (q._cursor !== undefined) {
        const decoded = decodeCursor(q._cursor);
        if (!decoded) throw errors.badRequest('_cursor is not one this server issued');
        params.push(decoded.at, decoded.id);
        where.push(`(recorded_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      params.push(count + 1);
      const rows = await db.query<AuditRow>(
        `SELECT * FROM cds_audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY recorded_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.rows.slice(0, count);
      const self = new URL(req.url, publicBaseUrl);
      const links = [{ relation: 'self', url: self.toString() }];
      if (rows.rows.length > count) {
        const last = page[page.length - 1]!;
        const next = new URL(self);
        next.searchParams.set('_cursor', encodeCursor(new Date(last.recorded_at).toISOString(), last.id));
        links.push({ relation: 'next', url: next.toString() });
      }
      return reply.header('content-type', 'application/fhir+json; charset=utf-8').send({
        resourceType: 'Bundle',
        type: 'searchset',
        link: links,
        entry: page.map((r) => ({
          fullUrl: `${publicBaseUrl}/audit/${r.id}`,
          resource: auditEvent(r, publicBaseUrl),
          search: { mode: 'match' },
        })),
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/audit/:id',
    { config: { access: AUDITORS }, schema: AuditParams },
    async (req, reply) => {
      if (!/^[0-9a-f-]{36}$/.test(req.params.id)) throw errors.notFound(`AuditEvent ${req.params.id.slice(0, 40)}`);
      const rows = await db.query<AuditRow>('SELECT * FROM cds_audit_event WHERE id = $1::uuid', [req.params.id]);
      if (!rows.rows[0]) throw errors.notFound(`AuditEvent ${req.params.id}`);
      return reply
        .header('content-type', 'application/fhir+json; charset=utf-8')
        .send(auditEvent(rows.rows[0], publicBaseUrl));
    },
  );
};

function auditEvent(r: AuditRow, base: string): Record<string, unknown> {
  const details = [
    ...(r.service ? [{ type: 'service', valueString: r.service }] : []),
    ...(r.hook ? [{ type: 'hook', valueString: r.hook }] : []),
    ...(r.card_count !== null ? [{ type: 'cardCount', valueString: String(r.card_count) }] : []),
    ...(r.duration_ms !== null ? [{ type: 'durationMs', valueString: String(Number(r.duration_ms)) }] : []),
    ...Object.entries(r.detail).map(([k, v]) => ({
      type: k,
      valueString: typeof v === 'string' ? v : JSON.stringify(v),
    })),
  ];
  return {
    resourceType: 'AuditEvent',
    id: r.id,
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: `${base}/CodeSystem/audit-action`, code: r.action }],
    action: FHIR_ACTION[r.action] ?? 'E',
    recorded: new Date(r.recorded_at).toISOString(),
    outcome: FHIR_OUTCOME[r.outcome] ?? '8',
    outcomeDesc: r.outcome,
    agent: [{ who: { identifier: { system: `${base}/client`, value: r.client ?? 'unknown' } }, requestor: true }],
    source: { observer: { display: 'CDS Hooks medication safety service' } },
    entity: [
      ...(r.patient_hash
        ? [
            {
              what: { identifier: { system: `${base}/patient-hash`, value: r.patient_hash } },
              type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
            },
          ]
        : []),
      ...(details.length > 0 ? [{ what: { display: r.action }, detail: details }] : []),
    ],
  };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || typeof id !== 'string' || !isValidInstant(at) || !/^[0-9a-f-]{36}$/.test(id))
      return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}
