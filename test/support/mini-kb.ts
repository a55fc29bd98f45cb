/**
 * A small knowledge base for engine tests, so each mechanism (washout, classes, salts, policy) is tested
 * with exact control. Codes are real RxNorm codes, taken from knowledge-base/reference (RxNorm 2025
 * prescribable extract and the ONC member list); the interaction texts are test placeholders.
 */
import type { KnowledgeSources } from '../../src/knowledge/load-sources.js';
import type { Interaction } from '../../src/knowledge/source-schema.js';
import type { Policy } from '../../src/policy/policy-schema.js';

export const CODES = {
  simvastatin: '36567',
  clarithromycin: '21212',
  fluoxetine: '4493',
  sertraline: '36437',
  phenelzine: '8123',
  oxycodone: '7804',
  oxycodoneHcl: '82063',
  ciprofloxacin: '2551',
  tizanidine: '57258',
  simvastatin40Tab: '198211',
  clarithromycin500Tab: '197517',
  fluoxetine20Cap: '310385',
  phenelzine15Tab: '312347',
  ibuprofen400Tab: '197805',
} as const;

const cite = [{ source: 'engine test fixture', url: 'https://example.org/engine-test' }];

function interaction(partial: Partial<Interaction> & Pick<Interaction, 'id' | 'a' | 'b' | 'severity'>): Interaction {
  return {
    title: `${partial.id} title`,
    mechanism: 'test mechanism text',
    effect: 'test effect text here',
    management: 'test management text',
    evidence: 'established',
    citations: cite,
    alternatives: [],
    review: { status: 'unreviewed' },
    ...partial,
  } as Interaction;
}

const side = (label: string, ingredients: string[], extra: Record<string, unknown> = {}) => ({
  label,
  ingredients,
  classes: [],
  forms: 'systemic' as const,
  ...extra,
});

export const prescriberPolicy: Policy = {
  id: 'prescriber',
  description: 'test prescriber policy',
  indicatorBySeverity: { contraindicated: 'critical', major: 'warning', moderate: 'info', minor: 'suppress' },
  oncHighPriorityMinimum: 'warning',
  oncLowPriorityMaximum: 'info',
  alertBudget: 3,
  interactionOverrides: [],
  contextRaises: [],
};

export const pharmacistPolicy: Policy = {
  ...prescriberPolicy,
  id: 'pharmacist',
  indicatorBySeverity: { contraindicated: 'critical', major: 'warning', moderate: 'warning', minor: 'info' },
  alertBudget: undefined,
};

export function miniKb(): KnowledgeSources {
  const c = CODES;
  return {
    ingredients: [
      { rxcui: c.simvastatin, name: 'simvastatin', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.clarithromycin, name: 'clarithromycin', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.fluoxetine, name: 'fluoxetine', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.sertraline, name: 'sertraline', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.phenelzine, name: 'phenelzine', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.oxycodone, name: 'oxycodone', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      {
        rxcui: c.oxycodoneHcl,
        name: 'oxycodone hydrochloride',
        tty: 'PIN',
        baseIngredients: [c.oxycodone],
        verifiedIn: ['RXN2025'],
      },
      { rxcui: c.ciprofloxacin, name: 'ciprofloxacin', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
      { rxcui: c.tizanidine, name: 'tizanidine', tty: 'IN', baseIngredients: [], verifiedIn: ['RXN2025'] },
    ],
    products: [
      {
        rxcui: c.simvastatin40Tab,
        name: 'simvastatin 40 MG Oral Tablet',
        tty: 'SCD',
        ingredients: [c.simvastatin],
        verifiedIn: ['RXN2025'],
      },
      {
        rxcui: c.clarithromycin500Tab,
        name: 'clarithromycin 500 MG Oral Tablet',
        tty: 'SCD',
        ingredients: [c.clarithromycin],
        verifiedIn: ['RXN2025'],
      },
      {
        rxcui: c.fluoxetine20Cap,
        name: 'fluoxetine 20 MG Oral Capsule',
        tty: 'SCD',
        ingredients: [c.fluoxetine],
        verifiedIn: ['RXN2025'],
      },
      {
        rxcui: c.phenelzine15Tab,
        name: 'phenelzine 15 MG Oral Tablet',
        tty: 'SCD',
        ingredients: [c.phenelzine],
        verifiedIn: ['RXN2025'],
      },
    ],
    classes: [{ id: 'test-maoi', name: 'MAO inhibitors', members: [c.phenelzine], citations: cite }],
    interactions: [
      interaction({
        id: 'test-statin-macrolide',
        a: side('simvastatin', [c.simvastatin]),
        b: side('strong CYP3A4 inhibitors', [c.clarithromycin]),
        severity: 'contraindicated',
        oncList: 'high-priority',
        alternatives: [{ replaces: 'a', rxcui: c.sertraline, note: 'placeholder alternative for the test' }],
      }),
      interaction({
        id: 'test-ssri-maoi',
        a: side('SSRIs', [c.fluoxetine, c.sertraline], { washoutByIngredient: { [c.fluoxetine]: 35 } }),
        b: { label: 'MAO inhibitors', ingredients: [], classes: ['test-maoi'], forms: 'systemic', washoutDays: 14 },
        severity: 'contraindicated',
        oncList: 'high-priority',
      }),
      interaction({
        id: 'test-tizanidine-cipro',
        a: side('tizanidine', [c.tizanidine]),
        b: side('ciprofloxacin', [c.ciprofloxacin]),
        severity: 'major',
      }),
      interaction({
        id: 'test-oxycodone-clarithromycin',
        a: side('oxycodone', [c.oxycodone]),
        b: side('clarithromycin', [c.clarithromycin]),
        severity: 'moderate',
      }),
      interaction({
        id: 'test-low-priority',
        a: side('simvastatin', [c.simvastatin]),
        b: side('ciprofloxacin', [c.ciprofloxacin]),
        severity: 'major',
        oncList: 'low-priority',
      }),
    ],
    observations: [
      {
        id: 'potassium',
        name: 'Potassium',
        loinc: ['2823-3'],
        unit: 'mmol/L',
        equivalentUnits: ['mEq/L'],
        citations: cite,
      },
    ],
    policies: [prescriberPolicy, pharmacistPolicy],
    checksum: 'f'.repeat(64),
    files: [],
  };
}
