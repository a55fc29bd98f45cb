/**
 * A rule's test case → the CDS Hooks request it stands for. Cases are written in a shorthand an informaticist can
 * read (an ingredient or product by name, an observation by kind and age in days, a condition by value set, a
 * patient by age and sex); each becomes the FHIR R4 resource an EHR would send, coded from the knowledge base.
 * Full FHIR resources may be given instead and pass through unchanged.
 */
import type { Json } from '../fhir/resources.js';
import { HOOKS, type HookName } from '../hooks/registry.js';
import { listedServiceFor } from '../hooks/services.js';
import { DEFAULT_TEST_NOW, type RuleFile, type TestCase } from '../rules/rule-schema.js';
import type { RuleVocabulary } from '../rules/vocabulary.js';

export const RULE_TEST_PATIENT = 'rule-test-patient';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const DAY = 86_400_000;

export interface CaseRequest {
  readonly hook: HookName;
  readonly serviceId: string;
  readonly now: Date;
  readonly body: Json;
}

export function caseRequest(rule: RuleFile, t: TestCase, vocabulary: RuleVocabulary): CaseRequest {
  // The rule schema admits only the registry's hook names.
  const hook = (t.hook ?? rule.hooks[0]!) as HookName;
  const now = new Date(t.now ?? DEFAULT_TEST_NOW);
  const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);
  const date = (n: number) => daysAgo(n).toISOString().slice(0, 10);

  const medication = (list: 'drafts' | 'active' | 'recent', m: TestCase['drafts'][number], k: number): Json => {
    if ('resourceType' in m) return m as Json;
    const id = m.id ?? `${list === 'drafts' ? 'draft' : list}-${k + 1}`;
    const name = (m.ingredient ?? m.product)!;
    const code = m.ingredient
      ? vocabulary.ingredientByName.get(name.toLowerCase())
      : vocabulary.productByName.get(name.toLowerCase());
    if (!code) throw new Error(`test case "${t.name}": "${name}" is not in the knowledge base`);
    const dosage: Json = {};
    if (m.timesPerDay !== undefined || list === 'recent') {
      dosage.timing = {
        repeat: {
          ...(m.timesPerDay !== undefined ? { frequency: m.timesPerDay, period: 1, periodUnit: 'd' } : {}),
          ...(list === 'recent' ? { boundsPeriod: { end: date(m.endedDaysAgo ?? 3) } } : {}),
        },
      };
    }
    if (m.dose !== undefined) dosage.doseAndRate = [{ doseQuantity: { value: m.dose, unit: m.doseUnit ?? 'tablet' } }];
    return {
      resourceType: 'MedicationRequest',
      id,
      status: list === 'drafts' ? 'draft' : list === 'active' ? 'active' : 'stopped',
      intent: 'order',
      subject: { reference: `Patient/${RULE_TEST_PATIENT}` },
      authoredOn: date(m.authoredDaysAgo ?? (list === 'drafts' ? 0 : 60)),
      medicationCodeableConcept: { coding: [{ system: RXNORM, code, display: name }], text: name },
      ...(Object.keys(dosage).length > 0 ? { dosageInstruction: [dosage] } : {}),
      ...(m.replaces ? { priorPrescription: { reference: `MedicationRequest/${m.replaces}` } } : {}),
    };
  };

  const observation = (o: TestCase['observations'][number], k: number): Json => {
    if ('resourceType' in o) return o as Json;
    const kind = o.kind ? vocabulary.observationKinds.get(o.kind) : undefined;
    if (o.kind && !kind) throw new Error(`test case "${t.name}": no observation kind "${o.kind}"`);
    const code = kind ? kind.loinc[0]! : o.loinc!;
    const unit = o.unit ?? kind!.unit;
    return {
      resourceType: 'Observation',
      id: `obs-${k + 1}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${RULE_TEST_PATIENT}` },
      effectiveDateTime: `${date(o.daysAgo)}T08:00:00Z`,
      valueQuantity: { value: o.value, unit, system: 'http://unitsofmeasure.org', code: unit },
    };
  };

  const condition = (c: TestCase['conditions'][number], k: number): Json => {
    if ('resourceType' in c) return c as Json;
    const coded = rule.valueSets[c.valueSet]?.codes?.[0];
    if (!coded) throw new Error(`test case "${t.name}": value set "${c.valueSet}" has no codes`);
    return {
      resourceType: 'Condition',
      id: `condition-${k + 1}`,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: c.clinicalStatus }],
      },
      code: { coding: [{ system: coded.system, code: coded.code, display: coded.display }], text: coded.display },
      subject: { reference: `Patient/${RULE_TEST_PATIENT}` },
      ...(c.onsetDaysAgo !== undefined ? { onsetDateTime: date(c.onsetDaysAgo) } : {}),
    };
  };

  let patient: Json | null = null;
  if (t.patient && 'resourceType' in t.patient) patient = t.patient as Json;
  else if (t.patient) {
    // Born the day before the anniversary: exactly `age` years old on the case's clock.
    const birth =
      t.patient.age === undefined
        ? undefined
        : new Date(Date.UTC(now.getUTCFullYear() - t.patient.age, now.getUTCMonth(), now.getUTCDate()) - DAY);
    patient = {
      resourceType: 'Patient',
      id: RULE_TEST_PATIENT,
      ...(t.patient.sex ? { gender: t.patient.sex } : {}),
      ...(birth ? { birthDate: birth.toISOString().slice(0, 10) } : {}),
    };
  }

  const drafts = t.drafts.map((m, k) => medication('drafts', m, k));
  const searchset = (resources: Json[]) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({ resource })),
  });
  const draftBundle = { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) };
  const context: Json = { userId: 'Practitioner/rule-test', patientId: RULE_TEST_PATIENT };
  Object.assign(
    context,
    HOOKS[hook].draftContext(
      draftBundle,
      drafts.map((d) => `MedicationRequest/${String(d.id)}`),
    ),
  );
  return {
    hook,
    serviceId: listedServiceFor(hook)!.id,
    now,
    body: {
      hook,
      hookInstance: `rule-test-${rule.id}`,
      context,
      prefetch: {
        medications: searchset(t.active.map((m, k) => medication('active', m, k))),
        recentMedications: searchset(t.recent.map((m, k) => medication('recent', m, k))),
        observations: searchset(t.observations.map(observation)),
        conditions: searchset(t.conditions.map(condition)),
        allergies: searchset(t.allergies as Json[]),
        patient,
      },
    },
  };
}
