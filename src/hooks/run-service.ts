/**
 * One CDS service call, from validated request to cards: resolve data, normalise, run the checks under
 * the deadline, apply the policy. Plain TypeScript (no fastify), so it is tested without a server.
 */
import { clientKey, type ClientIdentity } from '../auth/client-auth.js';
import { answerCards } from '../cards/answer-cards.js';
import type { Acknowledgement, BuiltCards, CardContext, CardMeta } from '../cards/card-context.js';
import type { CdsResponse } from '../cards/card.js';
import type { Policy } from '../policy/policy-schema.js';
import { safeAlternatives } from '../checks/ddi/safe-alternatives.js';
import type { Finding, InteractionFinding } from '../checks/finding.js';
import { runChecks } from '../checks/run-check.js';
import type { GuidelineRuleDeps } from '../checks/check.js';
import type { ShadowCard } from '../cards/rule-cards.js';
import { errors } from '../errors.js';
import type { ClinicalContext } from '../fhir/clinical-context.js';
import type { FhirClient, FhirServerAccess } from '../fhir/fhir-client.js';
import { prefetchTemplates, resolveData, type DataKey } from '../fhir/prefetch.js';
import { resourcesOf, type Json } from '../fhir/resources.js';
import { normalise } from '../fhir/normalise.js';
import { Deadline } from '../infra/deadline.js';
import type { KnowledgeStore } from '../knowledge/knowledge-store.js';
import { RequestKnowledge } from '../knowledge/request-knowledge.js';
import { HOOKS, type HookName } from './registry.js';
import { CdsRequest, describeIssues } from './request-schema.js';
import type { ServiceDefinition } from './services.js';

/** What a service call needs of the service's configuration (src/config.ts's Config extends it). */
export interface ServiceSettings {
  readonly timeBudgetMs: number;
  readonly defaultPolicy: string;
  readonly publicBaseUrl: string;
  readonly maxLabAgeDays: number;
  /** Optional services listed in discovery besides the default ones (e.g. the pharmacist review for a pharmacy system). */
  readonly enabledServices: readonly string[];
}

export interface ServiceDeps {
  readonly config: ServiceSettings;
  readonly knowledge: KnowledgeStore;
  /** The policies in force (read once per request). */
  readonly policies: { get(id: string): Policy | undefined };
  readonly fhirClient: FhirClient;
  readonly now: () => Date;
  /** The deadline's clock in milliseconds (absent: performance.now; tests inject one to make time run out). */
  readonly deadlineClock?: () => number;
  /** Where a check's internal error goes (the app passes its logger). */
  readonly reportError: (what: string, error: unknown) => void;
  /** Remembered overrides (absent: nothing is remembered, every card is shown). */
  readonly recall?: OverrideRecall;
  /** Guideline rules (absent: none run). */
  readonly rules?: GuidelineRuleDeps;
  /** Combinations acknowledged at earlier chart opens (absent: none is, every one is shown at its indicator). */
  readonly acknowledgements?: AcknowledgementRecall;
}

/** Finds, for the combinations on a profile card, this client's acknowledgement of each at an earlier chart open. */
export interface AcknowledgementRecall {
  /** `client` is clientKey() of the caller: only its own cards and feedback count. Keyed by finding key. */
  acknowledged(
    client: string,
    patientId: string,
    hook: string,
    keys: readonly string[],
  ): Promise<ReadonlyMap<string, Acknowledgement>>;
}

/** Finds, for cards about to be shown, an earlier override of the same finding for the same draft. */
export interface OverrideRecall {
  /** `client` is clientKey() of the caller: only its own cards and overrides are remembered. */
  overridden(
    client: string,
    patientId: string,
    cards: readonly {
      uuid: string;
      findingKey: string;
      draftRefs: readonly string[];
      draftFingerprint: string | null;
    }[],
  ): Promise<ReadonlyMap<string, string>>;
}

export interface ServiceResult {
  readonly hook: HookName;
  readonly response: CdsResponse;
  readonly knowledgeVersion: string;
  readonly policy: string;
  readonly incomplete: boolean;
  /** Why each medication that could not be screened was not (its resolution), one entry per medication. */
  readonly unscreenable: readonly string[];
  /** What each card shown is about (by uuid), for the card ledger. */
  readonly meta: ReadonlyMap<string, CardMeta>;
  /** Cards not shown because their finding was overridden earlier for the same draft: uuid → the overridden card. */
  readonly suppressed: readonly {
    readonly uuid: string;
    readonly meta: CardMeta;
    readonly overriddenCardUuid: string;
  }[];
  readonly hookInstance: string;
  readonly patientId: string | undefined;
  readonly userId: string | undefined;
  /** References of every draft order in the request. */
  readonly draftRefs: readonly string[];
  /** Cards shadow guideline rules would have shown: recorded, never sent. */
  readonly shadow?: readonly ShadowCard[];
}

/** Data keys whose absence leaves the interaction check incomplete. */
const DDI_KEYS: ReadonlySet<DataKey> = new Set(['medications', 'recentMedications']);

/**
 * The share of the budget kept back from the work for what follows it and cannot be interrupted: building the cards,
 * naming what was not screened, serialising and sending the answer, and the synchronous step in flight when the
 * deadline passes — the largest being one guideline-rule fact (FHIRPath) over thousands of orders. For the largest
 * accepted requests that is 40-75 ms on a 2-core machine (benchmarks/large-request.ts); three tenths is 75 ms of the
 * default 250 ms and scales with a site's own budget. An ordinary request finishes long before either mark.
 */
const ANSWER_RESERVE = 0.3;

/**
 * `elapsedMs`: time the request already took before it got here (reading and parsing its body): the budget is the
 * EHR's wait from the request's arrival, so validation and normalisation run under what is left of it.
 */
export async function runService(
  service: ServiceDefinition,
  body: unknown,
  deps: ServiceDeps,
  client?: ClientIdentity,
  elapsedMs = 0,
): Promise<ServiceResult> {
  const deadline = new Deadline(
    Math.max(0, deps.config.timeBudgetMs * (1 - ANSWER_RESERVE) - elapsedMs),
    deps.deadlineClock,
  );
  const parsed = CdsRequest.safeParse(body);
  if (!parsed.success) throw errors.badRequest(describeIssues(parsed.error));
  const request = parsed.data;
  if (!(service.hooks as readonly string[]).includes(request.hook)) {
    throw errors.hookNotServed(service.id, request.hook, service.hooks);
  }
  const hook = request.hook as HookName;
  const behaviour = HOOKS[hook];
  const ctxParsed = behaviour.context.safeParse(request.context);
  if (!ctxParsed.success) throw errors.badRequest(describeIssues(ctxParsed.error, 'context'));
  const context = ctxParsed.data as Json;

  // One version for the whole request, each code looked up once however many checks ask for it.
  const kb = new RequestKnowledge(deps.knowledge.snapshot());
  const policyId = service.policy === 'default' ? deps.config.defaultPolicy : service.policy;
  const policy = deps.policies.get(policyId);
  if (!policy) throw new Error(`policy ${policyId} is not loaded`);

  const fhir: FhirServerAccess | undefined = request.fhirServer
    ? {
        baseUrl: request.fhirServer,
        ...(request.fhirAuthorization ? { accessToken: request.fhirAuthorization.access_token } : {}),
        ...(client?.fhirServers?.length ? { allowlist: client.fhirServers } : {}),
      }
    : undefined;
  const data = await resolveData(
    { prefetch: request.prefetch as Json | undefined, context, fhir },
    behaviour.keys,
    prefetchTemplates(kb.observationKinds()),
    deps.fhirClient,
    deadline,
  );

  const draftSource = behaviour.drafts(context);
  const clinical = await normalise(
    {
      patientId: typeof context.patientId === 'string' ? context.patientId : undefined,
      drafts: draftSource === undefined ? [] : resourcesOf(draftSource),
      ...(behaviour.selections ? { selections: behaviour.selections(context) } : {}),
      data,
      now: deps.now(),
      maxLabAgeDays: deps.config.maxLabAgeDays,
      fhir,
      client: deps.fhirClient,
      deadline,
    },
    kb,
  );

  const findings: Finding[] = [];
  for (const gap of clinical.gaps) {
    if (DDI_KEYS.has(gap.key)) {
      findings.push({
        kind: 'incomplete',
        subject: { kind: 'interactions-with', key: gap.key },
        cause: { kind: 'data-missing', key: gap.key, reason: gap.reason },
      });
    }
  }
  if (clinical.notNormalised) findings.push(notNormalisedFinding(clinical.notNormalised));
  for (const m of behaviour.screened(clinical)) {
    if (m.resolution !== 'resolved' && m.resolution !== 'no-medication')
      findings.push({ kind: 'unscreenable', medication: m });
    else if (m.displayMismatch) findings.push({ kind: 'display-mismatch', medication: m });
  }
  const plan = behaviour.plan(clinical);
  for (const f of await runChecks(behaviour.checks, {
    clinical,
    plan,
    data,
    kb,
    deadline,
    request: {
      hook,
      mode: behaviour.mode,
      keys: behaviour.keys,
      prefetch: request.prefetch as Json | undefined,
      context,
      fhir,
    },
    fhirClient: deps.fhirClient,
    maxLabAgeDays: deps.config.maxLabAgeDays,
    ...(deps.rules ? { rules: deps.rules } : {}),
    reportError: deps.reportError,
  }))
    findings.push(f);

  for (const f of behaviour.requestFindings?.(context) ?? []) findings.push(f);

  // Missing lab data matters when a policy would have raised one of these findings on it.
  const labGap = clinical.gaps.find((g) => g.key === 'observations');
  const raisable = findings.filter(
    (f) => f.kind === 'interaction' && policy.contextRaises.some((r) => r.interaction === f.interaction.id),
  );
  if (labGap && raisable.length > 0) {
    const kinds = [
      ...new Set(
        policy.contextRaises
          .filter((r) => raisable.some((f) => f.kind === 'interaction' && f.interaction.id === r.interaction))
          .map((r) => r.observation),
      ),
    ];
    findings.push({
      kind: 'incomplete',
      subject: { kind: 'escalation', observations: kinds },
      cause: { kind: 'data-missing', key: labGap.key, reason: labGap.reason },
    });
  }

  const interactions = findings.filter((f): f is InteractionFinding => f.kind === 'interaction');
  const alternatives =
    behaviour.mode === 'order' ? await safeAlternatives(interactions, clinical, kb, deadline) : new Map();
  const cardContext: CardContext = {
    policy,
    context: clinical,
    kb,
    publicBaseUrl: deps.config.publicBaseUrl,
    mode: behaviour.mode,
    alternatives,
  };
  const patientId = typeof context.patientId === 'string' ? context.patientId : undefined;
  let built = answerCards(findings, cardContext);
  if (behaviour.mode === 'profile' && patientId && deps.acknowledgements) {
    const acknowledged = await recallAcknowledgements(built, clientKey(client), patientId, hook, deps);
    // Built again with what this client acknowledged: profile cards are few and cheap to build.
    if (acknowledged.size > 0) built = answerCards(findings, { ...cardContext, acknowledged });
  }
  const suppressed =
    behaviour.recallsOverridesFrom && patientId && deps.recall
      ? await recallOverrides(built, clientKey(client), patientId, deps.recall, deps)
      : [];
  const hidden = new Set(suppressed.map((s) => s.uuid));
  return {
    hook,
    response: { cards: built.cards.filter((c) => !hidden.has(c.uuid)) },
    knowledgeVersion: kb.version.id,
    policy: policy.id,
    incomplete: findings.some((f) => f.kind === 'incomplete'),
    unscreenable: findings.flatMap((f) => (f.kind === 'unscreenable' ? [f.medication.resolution] : [])),
    meta: built.meta,
    suppressed,
    hookInstance: request.hookInstance,
    patientId,
    userId: typeof context.userId === 'string' ? context.userId : undefined,
    draftRefs: clinical.drafts.flatMap((d) => (d.reference ? [d.reference] : [])),
    shadow: built.shadow,
  };
}

/** Orders normalisation did not reach in time: one finding, counted by role, the first few named. */
function notNormalisedFinding(missed: NonNullable<ClinicalContext['notNormalised']>): Finding {
  const counts = (['draft', 'active', 'recent'] as const).flatMap((role) => {
    const count = missed.filter((m) => m.role === role).length;
    return count === 0 ? [] : [{ role, count }];
  });
  return {
    kind: 'incomplete',
    subject: { kind: 'orders', counts },
    cause: { kind: 'not-identified-in-time', orders: missed },
  };
}

/**
 * The combinations on this chart open's profile card that this client acknowledged at an earlier one. Reading the
 * memory must never lower a card wrongly: if it fails or is slow, nothing is acknowledged and every combination is
 * shown at its indicator (the failure is reported, as for the override memory).
 */
async function recallAcknowledgements(
  built: BuiltCards,
  client: string,
  patientId: string,
  hook: string,
  deps: ServiceDeps,
): Promise<ReadonlyMap<string, Acknowledgement>> {
  const keys = [...built.meta.values()].flatMap((m) => m.combinations?.map((c) => c.key) ?? []);
  if (keys.length === 0) return new Map();
  try {
    return await deps.acknowledgements!.acknowledged(client, patientId, hook, [...new Set(keys)]);
  } catch (error) {
    deps.reportError('acknowledgement memory', error);
    return new Map();
  }
}

/**
 * A card whose finding was overridden at order-select for the same draft (and the same dosage) is not shown
 * again at order-sign. Reading the memory must never cost a card: if it fails, every card is shown.
 */
async function recallOverrides(
  built: BuiltCards,
  client: string,
  patientId: string,
  recall: OverrideRecall,
  deps: ServiceDeps,
): Promise<ServiceResult['suppressed']> {
  const candidates = built.cards.flatMap((card) => {
    const m = built.meta.get(card.uuid);
    // A contraindicated or ONC high-priority finding is shown at every order-sign, whatever was overridden before.
    return m?.findingKey && m.draftRefs.length > 0 && !m.alwaysShown && m.severity !== 'contraindicated'
      ? [{ uuid: card.uuid, findingKey: m.findingKey, draftRefs: m.draftRefs, draftFingerprint: m.draftFingerprint }]
      : [];
  });
  if (candidates.length === 0) return [];
  try {
    const overridden = await recall.overridden(client, patientId, candidates);
    return candidates.flatMap((c) => {
      const earlier = overridden.get(c.uuid);
      return earlier ? [{ uuid: c.uuid, meta: built.meta.get(c.uuid)!, overriddenCardUuid: earlier }] : [];
    });
  } catch (error) {
    deps.reportError('override memory', error);
    return [];
  }
}
