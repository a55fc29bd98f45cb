import { describe, expect, it } from 'vitest';
import { decideIndicator } from '../../../src/cards/policy.js';
import type { Policy } from '../../../src/policy/policy-schema.js';
import { fitSummary } from '../../../src/cards/card.js';
import type { InteractionFinding } from '../../../src/checks/finding.js';
import type { ClinicalContext, LabValue, Medication } from '../../../src/fhir/clinical-context.js';
import type { Interaction } from '../../../src/knowledge/source-schema.js';
import { miniKb, prescriberPolicy, pharmacistPolicy } from '../../support/mini-kb.js';

const base = miniKb().interactions.find((i) => i.id === 'test-tizanidine-cipro')!;
const med = (key: string): Medication => ({
  key,
  role: 'draft',
  display: key,
  rxnormCodes: [],
  ingredients: [],
  resolution: 'resolved',
  resource: {},
});

function finding(overrides: Partial<Interaction>): InteractionFinding {
  return {
    kind: 'interaction',
    interaction: { ...base, ...overrides },
    subject: med('s'),
    other: med('o'),
    subjectIngredient: { rxcui: '1', name: 'x' },
    otherIngredient: { rxcui: '2', name: 'y' },
    subjectSide: 'a',
  };
}

function context(labs: LabValue[] = []): ClinicalContext {
  return {
    patientId: 'p',
    now: new Date('2026-11-21'),
    drafts: [],
    selections: undefined,
    active: [],
    recent: [],
    labs: new Map(labs.map((l) => [l.kind, l])),
    gaps: [],
  };
}

const potassium = (value: number): LabValue => ({
  kind: 'potassium',
  value,
  unit: 'mmol/L',
  date: '2026-11-20',
  ageDays: 1,
});

describe('policy', () => {
  it.each([
    ['contraindicated', 'critical', 'critical'],
    ['major', 'warning', 'warning'],
    ['moderate', 'info', 'warning'],
    ['minor', 'suppress', 'info'],
  ] as const)('maps %s to %s for prescribers and %s for pharmacists', (severity, prescriber, pharmacist) => {
    expect(decideIndicator(finding({ severity }), prescriberPolicy, context()).indicator).toBe(prescriber);
    expect(decideIndicator(finding({ severity }), pharmacistPolicy, context()).indicator).toBe(pharmacist);
  });

  it('never lets an ONC high-priority pair fall below the floor, even when a site override suppresses it', () => {
    const policy: Policy = {
      ...prescriberPolicy,
      interactionOverrides: [
        {
          interaction: base.id,
          indicator: 'suppress',
          note: 'site wanted it off',
          changedBy: 'informaticist',
          changedOn: '2026-11-01',
        },
      ],
    };
    expect(decideIndicator(finding({ severity: 'minor', oncList: 'high-priority' }), policy, context()).indicator).toBe(
      'warning',
    );
    expect(decideIndicator(finding({ severity: 'minor' }), policy, context()).indicator).toBe('suppress');
  });

  it('applies a site override to an ordinary pair', () => {
    const policy: Policy = {
      ...prescriberPolicy,
      interactionOverrides: [
        {
          interaction: base.id,
          indicator: 'critical',
          note: 'two events here last year',
          changedBy: 'pharmacy committee',
          changedOn: '2026-10-01',
        },
      ],
    };
    expect(decideIndicator(finding({ severity: 'moderate' }), policy, context()).indicator).toBe('critical');
  });

  it('caps ONC low-priority pairs at info, and lets patient context raise them above the cap', () => {
    const policy: Policy = {
      ...prescriberPolicy,
      contextRaises: [
        {
          interaction: base.id,
          observation: 'potassium',
          above: 5.5,
          indicator: 'warning',
          note: 'hyperkalaemia makes this combination dangerous',
          citations: [{ source: 'test', url: 'https://example.org/t' }],
        },
      ],
    };
    const lowPriority = finding({ severity: 'major', oncList: 'low-priority' });
    expect(decideIndicator(lowPriority, policy, context()).indicator).toBe('info');
    expect(decideIndicator(lowPriority, policy, context([potassium(5.5)])).indicator).toBe('info');
    const raised = decideIndicator(lowPriority, policy, context([potassium(5.6)]));
    expect(raised.indicator).toBe('warning');
    expect(raised.raisedBy?.lab.value).toBe(5.6);
    expect(
      decideIndicator(lowPriority, { ...prescriberPolicy, oncLowPriorityMaximum: 'suppress' }, context()).indicator,
    ).toBe('suppress');
    // An explicit site decision about the pair stands over the default cap.
    const siteRaised: Policy = {
      ...prescriberPolicy,
      interactionOverrides: [
        {
          interaction: base.id,
          indicator: 'warning',
          note: 'local adverse events',
          changedBy: 'committee',
          changedOn: '2026-11-01',
        },
      ],
    };
    expect(decideIndicator(lowPriority, siteRaised, context()).indicator).toBe('warning');
  });
});

describe('fitSummary', () => {
  it('keeps text under 140 characters, cutting at a word with an ellipsis', () => {
    const exact = 'x'.repeat(139);
    expect(fitSummary(exact)).toBe(exact);
    const long = `${'word '.repeat(40)}end`;
    const fitted = fitSummary(long);
    expect(fitted.length).toBeLessThan(140);
    expect(fitted).toBe(`${'word '.repeat(27).trimEnd()}…`);
  });
});
