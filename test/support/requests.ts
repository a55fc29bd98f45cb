/** Builders for CDS Hooks requests and FHIR resources used across tests. */
import { randomUUID } from 'node:crypto';

export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const PATIENT_ID = 'pat-1';

export interface MedSpec {
  readonly id: string;
  readonly rxcui?: string;
  readonly display?: string;
  readonly status?: 'draft' | 'active' | 'stopped' | 'completed';
  readonly authoredOn?: string;
  /** boundsPeriod end: when the order stopped. */
  readonly endedOn?: string;
}

export function medicationRequest(spec: MedSpec): Record<string, unknown> {
  return {
    resourceType: 'MedicationRequest',
    id: spec.id,
    status: spec.status ?? 'draft',
    intent: 'order',
    subject: { reference: `Patient/${PATIENT_ID}` },
    ...(spec.authoredOn ? { authoredOn: spec.authoredOn } : {}),
    ...(spec.rxcui || spec.display
      ? {
          medicationCodeableConcept: {
            ...(spec.rxcui
              ? { coding: [{ system: RXNORM, code: spec.rxcui, ...(spec.display ? { display: spec.display } : {}) }] }
              : {}),
            ...(spec.display ? { text: spec.display } : {}),
          },
        }
      : {}),
    ...(spec.endedOn ? { dosageInstruction: [{ timing: { repeat: { boundsPeriod: { end: spec.endedOn } } } }] } : {}),
  };
}

export function bundle(resources: unknown[], type?: string): Record<string, unknown> {
  return { resourceType: 'Bundle', ...(type ? { type } : {}), entry: resources.map((resource) => ({ resource })) };
}

export interface OrderRequestSpec {
  readonly hook?: 'order-sign' | 'order-select';
  readonly drafts: Record<string, unknown>[];
  readonly active?: Record<string, unknown>[];
  readonly recent?: Record<string, unknown>[];
  readonly observations?: Record<string, unknown>[];
  readonly selections?: string[];
}

/** An order-sign (or order-select) request with every prefetch key the service declares. */
export function orderRequest(spec: OrderRequestSpec): Record<string, unknown> {
  const hook = spec.hook ?? 'order-sign';
  return {
    hook,
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/example',
      patientId: PATIENT_ID,
      ...(hook === 'order-select'
        ? { selections: spec.selections ?? spec.drafts.map((d) => `MedicationRequest/${String(d.id)}`) }
        : {}),
      draftOrders: bundle(spec.drafts, 'collection'),
    },
    prefetch: {
      medications: bundle(spec.active ?? [], 'searchset'),
      recentMedications: bundle(spec.recent ?? [], 'searchset'),
      observations: bundle(spec.observations ?? [], 'searchset'),
      patient: null,
      allergies: null,
    },
  };
}

export function patientViewRequest(
  active: Record<string, unknown>[],
  recent: Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/example', patientId: PATIENT_ID },
    prefetch: {
      medications: bundle(active, 'searchset'),
      recentMedications: bundle(recent, 'searchset'),
      observations: null,
      patient: null,
      allergies: null,
    },
  };
}
