/**
 * What the HTTP layer records: every card served (the ledger), suppressed cards, feedback (given and inferred),
 * the clients seen, and the audit trail — patient, user and order ids only as keyed hashes. A service call's records
 * are queued in memory and committed in groups (recorder.ts); feedback and people's actions are on disk before their
 * answer. Reads (remembered overrides, inference) have a time limit and never hold up or fail a request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database } from '../infra/database.js';
import { withTimeout } from '../infra/with-timeout.js';
import { HOOKS } from '../hooks/registry.js';
import type { AcknowledgementRecall, OverrideRecall, ServiceResult } from '../hooks/run-service.js';
import type { IdHasher } from './id-hash.js';
import { acknowledgedCombinations, cardsForAbandonedDrafts, rememberedOverrides } from './memory.js';
import {
  adminAudit,
  type AuditRecord,
  type CardRecord,
  type FeedbackRecord,
  type RecordEntry,
} from '../infra/records.js';
import type { Acknowledgement, CardMeta } from '../cards/card-context.js';
import { Indicator } from '../policy/policy-schema.js';
import type { Recorder, RecordsStatus } from './recorder.js';
import type { FeedbackItem } from './feedback-schema.js';
import { overrideReasonSystem } from '../cards/card.js';
import { overrideReasonDisplay } from '../cards/override-reasons.js';

export interface ServiceCall {
  readonly service: string;
  readonly hook: string | null;
  readonly client: string;
  readonly servedAt: Date;
  readonly durationMs: number;
  readonly status: number;
  readonly result?: ServiceResult;
  /** Cards sent when the screening itself failed (the "not performed" card), with what the request said. */
  readonly fallback?: {
    readonly cards: readonly { uuid: string; indicator: string }[];
    readonly hookInstance: string;
    readonly patientId: string | undefined;
  };
}

export class CardRecords {
  /** Work a request started and did not wait for (inferring outcomes at order-sign). */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly recorder: Recorder,
    private readonly db: Database,
    private readonly hash: IdHasher,
    private readonly lookupTimeoutMs: number,
    /** The application's clock: the memory windows are measured from it, never from the database's now(). */
    private readonly now: () => Date,
    private readonly log: (message: string, detail?: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** The override memory the screening consults at order-sign. */
  readonly recall: OverrideRecall = {
    overridden: async (client, patientId, cards) => {
      const draftHash = new Map<string, string>();
      for (const c of cards) for (const ref of c.draftRefs) draftHash.set(ref, this.hash(ref));
      const remembered = await withTimeout(
        rememberedOverrides(
          this.db,
          this.now(),
          client,
          this.hash(patientId),
          [...new Set(cards.map((c) => c.findingKey))],
          [...new Set(draftHash.values())],
        ),
        this.lookupTimeoutMs,
        'override memory',
      );
      const out = new Map<string, string>();
      for (const c of cards) {
        const hashes = new Set(c.draftRefs.map((r) => draftHash.get(r)!));
        // The same finding for the same draft with the same dosage: a changed dose is shown again.
        const match = remembered.find(
          (r) => r.findingKey === c.findingKey && hashes.has(r.draftHash) && r.draftFingerprint === c.draftFingerprint,
        );
        if (match) out.set(c.uuid, match.cardUuid);
      }
      return out;
    },
  };

  /**
   * The acknowledgement memory a chart open consults: combinations this client acknowledged for this patient at an
   * earlier call of the same hook. A read under the lookup time limit; it never writes, so the answer waits on no
   * database write. A recorded state that does not read back as one is ignored (the combination is shown in full).
   */
  readonly acknowledgements: AcknowledgementRecall = {
    acknowledged: async (client, patientId, hook, keys) => {
      const rows = await withTimeout(
        acknowledgedCombinations(this.db, this.now(), client, this.hash(patientId), hook, keys),
        this.lookupTimeoutMs,
        'acknowledgement memory',
      );
      const out = new Map<string, Acknowledgement>();
      for (const r of rows) {
        const state = RecordedCombination.safeParse(r.state);
        if (!state.success || state.data.key !== r.key) continue;
        out.set(r.key, { cardUuid: r.cardUuid, outcome: r.outcome, at: r.outcomeAt.toISOString(), state: state.data });
      }
      return out;
    },
  };

  recordServiceCall(call: ServiceCall): void {
    const at = call.servedAt.toISOString();
    const r = call.result;
    const patientId = r?.patientId ?? call.fallback?.patientId;
    const patientHash = patientId ? this.hash(patientId) : null;
    this.recorder.record({ type: 'client', row: { client: call.client, seenAt: at, feedbackAt: null } });
    // Every card sent is in the ledger: screened ones with their findings, the "not performed" card without.
    const row = (card: { uuid: string; indicator: string }, m: CardMeta | undefined): CardRecord => ({
      cardUuid: card.uuid,
      servedAt: at,
      service: call.service,
      hook: r?.hook ?? call.hook ?? 'unknown',
      hookInstance: r?.hookInstance ?? call.fallback?.hookInstance ?? 'unknown',
      client: call.client,
      findingKind: r ? (m?.findingKind ?? 'incomplete') : 'not-performed',
      findingIds: m?.findingIds ?? [],
      findingKey: m?.findingKey ?? null,
      drugs: m?.drugs ?? [],
      severity: m?.severity ?? null,
      indicator: card.indicator,
      policy: r?.policy ?? 'none',
      knowledgeVersion: r?.knowledgeVersion ?? 'none',
      patientHash,
      userHash: r?.userId ? this.hash(r.userId) : null,
      draftHashes: (m?.draftRefs ?? []).map(this.hash),
      draftFingerprint: m?.draftFingerprint ?? null,
      combinations: m?.combinations ?? null,
    });
    for (const card of r?.response.cards ?? [])
      this.recorder.record({ type: 'card', row: row(card, r!.meta.get(card.uuid)) });
    for (const card of call.fallback?.cards ?? []) this.recorder.record({ type: 'card', row: row(card, undefined) });
    // Shadow guideline rules: what they would have shown, recorded beside the ledger and never sent.
    for (const sc of r?.shadow ?? []) {
      this.recorder.record({
        type: 'shadow',
        row: {
          cardUuid: sc.uuid,
          recordedAt: at,
          ruleId: sc.ruleId,
          ruleVersion: sc.ruleVersion,
          service: call.service,
          hook: r!.hook,
          hookInstance: r!.hookInstance,
          client: call.client,
          indicator: sc.indicator,
          drugs: sc.drugs,
          knowledgeVersion: r!.knowledgeVersion,
          patientHash,
          draftHashes: sc.draftRefs.map(this.hash),
        },
      });
    }
    for (const s of r?.suppressed ?? []) {
      this.recorder.record({
        type: 'suppression',
        row: {
          cardUuid: s.uuid,
          suppressedAt: at,
          overriddenCardUuid: s.overriddenCardUuid,
          findingKey: s.meta.findingKey ?? '',
          patientHash,
          service: call.service,
          hook: r!.hook,
        },
      });
    }
    const cardCount = r ? r.response.cards.length : (call.fallback?.cards.length ?? 0);
    this.recorder.record({
      type: 'audit',
      row: audit('service-call', at, {
        client: call.client,
        patientHash,
        service: call.service,
        hook: call.hook,
        cardCount,
        durationMs: Math.round(call.durationMs * 1000) / 1000,
        outcome: call.status >= 400 ? 'client-error' : !r ? 'failed' : r.incomplete ? 'incomplete' : 'success',
        detail: {
          status: call.status,
          ...(r ? { knowledgeVersion: r.knowledgeVersion, policy: r.policy, suppressed: r.suppressed.length } : {}),
        },
      }),
    });
    if (r && HOOKS[r.hook].recallsOverridesFrom && r.patientId)
      this.inBackground(this.inferAcceptance(call.client, r.patientId, r.draftRefs, r.hook, call.servedAt));
  }

  /** Resolves once the records of the calls so far are in the spool file (one write for the turn's calls). */
  spooled(): Promise<void> {
    return this.recorder.spooled();
  }

  /**
   * Resolves once the work requests started in the background has finished and every record so far is in the
   * database (or a flush failed and the rest waits in the spool).
   */
  async settled(): Promise<RecordsStatus> {
    // Each settle of the recorder is a fresh flush, which lets the inferences waiting for one run.
    while (this.background.size > 0) {
      await this.recorder.settled();
      await Promise.all([...this.background]);
    }
    return this.recorder.settled();
  }

  /** Finishes the background work (while the database answers) and stops the recorder: a clean stop loses nothing. */
  async stop(): Promise<void> {
    await this.settled();
    await this.recorder.stop();
  }

  private inBackground(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /**
   * Feedback items as received (repeats become one row each), each with its own audit event saying what the
   * clinician did: the outcome, the override reason's code and display (the client's, else this service's own for
   * its codes), and the suggestions accepted; never the free-text comment. Returns how many name a card we served.
   */
  async recordFeedback(
    service: string,
    client: string,
    items: readonly FeedbackItem[],
    receivedAt: Date,
    publicBaseUrl: string,
  ): Promise<{ known: number; unknown: number; unverified: number; kinds: ReadonlyMap<string, string> }> {
    const at = receivedAt.toISOString();
    const entries: RecordEntry[] = [];
    for (const item of items) {
      const reason = item.overrideReason;
      const coding = (reason ? ('code' in reason ? reason : reason.reason) : undefined) as
        { code: string; system: string; display?: string } | undefined;
      const acceptedSuggestions = (item.acceptedSuggestions ?? []).map((s) => s.id);
      const row: FeedbackRecord = {
        feedbackKey: digest([
          item.card,
          item.outcome,
          new Date(item.outcomeTimestamp).toISOString(),
          client,
          ...[...acceptedSuggestions].sort(),
        ]),
        cardUuid: item.card,
        receivedAt: at,
        client,
        outcome: item.outcome,
        inferred: false,
        outcomeAt: new Date(item.outcomeTimestamp).toISOString(),
        acceptedSuggestions,
        overrideSystem: coding?.system ?? null,
        overrideCode: coding?.code ?? null,
        overrideComment:
          reason && 'userComment' in reason && typeof reason.userComment === 'string' ? reason.userComment : null,
      };
      entries.push({ type: 'feedback', row });
      const display =
        coding?.display ??
        (coding?.system === overrideReasonSystem(publicBaseUrl) ? overrideReasonDisplay(coding.code) : undefined);
      entries.push({
        type: 'audit',
        row: audit('feedback', at, {
          client,
          service,
          outcome: 'success',
          cardCount: 1,
          detail: {
            card: item.card,
            outcome: item.outcome,
            ...(coding
              ? { reasonCode: coding.code, reasonSystem: coding.system, ...(display ? { reasonDisplay: display } : {}) }
              : {}),
            ...(acceptedSuggestions.length > 0 ? { acceptedSuggestions } : {}),
          },
        }),
      });
    }
    entries.push({ type: 'client', row: { client, seenAt: at, feedbackAt: at } });
    // What a clinician did with a card (an override above all: the alert memory reads it) is on disk before the
    // answer says it was received: a kill -9, or a crash of the machine, after the answer loses none of it.
    await this.recorder.recordDurably(entries);
    // Which cards we know is for counting only: the answer does not depend on it.
    try {
      const uuids = [...new Set(items.map((i) => i.card))];
      // A card served to another client is not one this client can speak for: it counts as unknown.
      const rows = await withTimeout(
        this.db.query<{ card_uuid: string; finding_kind: string }>(
          'SELECT card_uuid, finding_kind FROM cds_card WHERE card_uuid = ANY ($1::uuid[]) AND client = $2',
          [uuids, client],
        ),
        this.lookupTimeoutMs,
        'known-card count',
      );
      // What each known card was about, for the metrics' topic.
      const kinds = new Map(rows.rows.map((r) => [r.card_uuid, r.finding_kind]));
      return { known: kinds.size, unknown: uuids.length - kinds.size, unverified: 0, kinds };
    } catch {
      return { known: 0, unknown: 0, unverified: new Set(items.map((i) => i.card)).size, kinds: new Map() };
    }
  }

  /**
   * Records an administrative action (a knowledge import or activation, a policy change) in the audit trail, on
   * disk (fsynced) before the caller answers.
   */
  async recordAdmin(
    action: 'knowledge-import' | 'knowledge-activate' | 'policy-change' | 'rule-status-change',
    who: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.recorder.recordDurably([adminAudit(action, who, detail, this.now())]);
  }

  /**
   * Order-select cards whose drafts were not signed at `signedAt`: the prescriber changed course, taken as
   * acceptance. Runs after the next flush (the order-select cards are then in the database), never forcing one.
   */
  private async inferAcceptance(
    client: string,
    patientId: string,
    signedDraftRefs: readonly string[],
    hook: string,
    signedAt: Date,
  ): Promise<void> {
    try {
      await this.recorder.afterNextFlush();
      const abandoned = await withTimeout(
        cardsForAbandonedDrafts(this.db, signedAt, client, this.hash(patientId), signedDraftRefs.map(this.hash)),
        this.lookupTimeoutMs * 10,
        'abandoned-draft lookup',
      );
      const at = signedAt.toISOString();
      for (const card of abandoned) {
        this.recorder.record({
          type: 'feedback',
          row: {
            feedbackKey: digest([card.cardUuid, 'inferred-accepted']),
            cardUuid: card.cardUuid,
            receivedAt: at,
            client: card.client,
            outcome: 'accepted',
            inferred: true,
            outcomeAt: at,
            acceptedSuggestions: [],
            overrideSystem: null,
            overrideCode: null,
            overrideComment: null,
          },
        });
      }
    } catch (err) {
      this.log(`could not infer outcomes for this ${hook}`, { reason: (err as Error).message });
    }
  }
}

/** A combination as the ledger recorded it (CombinationState), read back from cds_card.combinations. */
const Amount = z.object({ value: z.number(), unit: z.string() });
const RecordedCombination = z.object({
  key: z.string(),
  indicator: Indicator,
  drugs: z
    .array(z.object({ drug: z.string(), product: z.string(), fingerprint: z.string(), perDay: Amount.optional() }))
    .max(1000),
  raisedBy: z.object({ kind: z.string(), value: z.number(), unit: z.string(), date: z.string() }).optional(),
});

function audit(
  action: AuditRecord['action'],
  at: string,
  fields: Partial<AuditRecord> & Pick<AuditRecord, 'outcome'>,
): AuditRecord {
  return {
    id: randomUUID(),
    recordedAt: at,
    action,
    client: fields.client ?? null,
    patientHash: fields.patientHash ?? null,
    service: fields.service ?? null,
    hook: fields.hook ?? null,
    cardCount: fields.cardCount ?? null,
    durationMs: fields.durationMs ?? null,
    outcome: fields.outcome,
    detail: fields.detail ?? {},
  };
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
