import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertConformantDiscovery,
  assertConformantResponse,
  cardViolations,
  discoveryViolations,
  responseViolations,
} from '../../support/cds-conformance.js';

type Json = Record<string, unknown>;

function fixture(relative: string): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/cds-hooks/${relative}`, import.meta.url), 'utf8')) as Json;
}

function clientFixture(relative: string): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/clients/${relative}`, import.meta.url), 'utf8')) as Json;
}

const OWN = { ownOutput: true } as const;
const UNKNOWN = 'unknown property (not defined by CDS Hooks 2.0.1; non-standard data belongs in "extension")';
const NULL = 'null is not allowed (omit the property instead)';

/** A card in the shape our service emits: every optional part present, uuids set. */
function ownCard(overrides: Json = {}): Json {
  return {
    uuid: '0b6f2c3e-5a41-4f0e-9d2a-1c3b4d5e6f70',
    summary: 'Warfarin + ibuprofen: increased bleeding risk',
    detail: '**Mechanism**: additive antiplatelet effect.',
    indicator: 'critical',
    source: {
      label: 'Open medication-safety knowledge base',
      url: 'https://example.org/kb/interactions/123',
      icon: 'https://example.org/icon-100px.png',
      topic: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'DRG',
        display: 'Drug Interaction Alert',
      },
    },
    selectionBehavior: 'at-most-one',
    suggestions: [
      {
        label: 'Cancel ibuprofen order',
        uuid: '7d1e9b2a-3c4f-4a5b-8c6d-7e8f9a0b1c2d',
        isRecommended: true,
        actions: [
          { type: 'delete', description: 'Remove the draft ibuprofen order', resourceId: 'MedicationRequest/draft-1' },
        ],
      },
      {
        label: 'Replace with acetaminophen',
        uuid: '2f3a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b',
        actions: [
          { type: 'delete', description: 'Remove the draft ibuprofen order', resourceId: 'MedicationRequest/draft-1' },
          {
            type: 'create',
            description: 'Order acetaminophen 500 mg',
            resource: { resourceType: 'MedicationRequest', status: 'draft', intent: 'order' },
          },
        ],
      },
    ],
    overrideReasons: [
      {
        system: 'http://example.org/override-reasons',
        code: 'benefit-outweighs-risk',
        display: 'Benefit outweighs risk',
      },
    ],
    links: [
      { label: 'Interaction monograph', url: 'https://example.org/kb/interactions/123', type: 'absolute' },
      {
        label: 'Dose calculator',
        url: 'https://smart.example.org/launch',
        type: 'smart',
        appContext: '{"pair":"123"}',
      },
    ],
    ...overrides,
  };
}

function minimalCard(overrides: Json = {}): Json {
  return { summary: 'Example', indicator: 'info', source: { label: 'Example' }, ...overrides };
}

describe('spec examples that conform to CDS Hooks 2.0.1 pass', () => {
  it('response-empty-cards (the "no guidance" answer, also in ownOutput mode)', () => {
    const body = fixture('spec-2.0/response/response-empty-cards.json');
    expect(responseViolations(body)).toEqual([]);
    expect(responseViolations(body, OWN)).toEqual([]);
    expect(() => assertConformantResponse(body, OWN)).not.toThrow();
  });

  it('response-cards-links-overridereasons; ownOutput additionally wants the second card to have a uuid', () => {
    const body = fixture('spec-2.0/response/response-cards-links-overridereasons.json');
    expect(responseViolations(body)).toEqual([]);
    expect(responseViolations(body, OWN)).toEqual([
      'cards[1].uuid: required for every card in our own output (feedback refers to it), missing',
    ]);
  });

  it('card fragments card-source-with-topic and card-override-reasons, wrapped into a card', () => {
    const source = fixture('spec-2.0/fragments/card-source-with-topic.json');
    const reasons = fixture('spec-2.0/fragments/card-override-reasons.json');
    const card = { summary: 'Zika virus exposure', indicator: 'warning', ...source, ...reasons };
    expect(cardViolations(card)).toEqual([]);
    expect(responseViolations({ cards: [card] })).toEqual([]);
  });

  it('action fragments (create, update, delete with resourceId), wrapped into a suggestion, pass both modes', () => {
    const actions = ['action-create', 'action-update', 'action-delete-resourceId'].map((f) =>
      fixture(`spec-2.0/fragments/${f}.json`),
    );
    const card = ownCard({
      suggestions: [{ label: 'Apply', uuid: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', actions }],
    });
    expect(cardViolations(card)).toEqual([]);
    expect(cardViolations(card, OWN)).toEqual([]);
  });

  it('discovery-response-3-services and discovery-response-with-extension (both modes)', () => {
    for (const f of ['discovery-response-3-services', 'discovery-response-with-extension']) {
      const body = fixture(`spec-2.0/discovery/${f}.json`);
      expect(discoveryViolations(body)).toEqual([]);
      expect(discoveryViolations(body, OWN)).toEqual([]);
      expect(() => assertConformantDiscovery(body, OWN)).not.toThrow();
    }
  });

  it('spec 2.0 prefetch template fragments are valid discovery prefetch', () => {
    for (const f of [
      'prefetch-templates-example',
      'prefetch-template-user-practitionerrole-search',
      'prefetch-template-patientToGreet',
    ]) {
      const { prefetch } = fixture(`spec-2.0/fragments/${f}.json`);
      const body = { services: [{ hook: 'patient-view', title: 'T', description: 'D', id: 'svc', prefetch }] };
      expect(discoveryViolations(body, OWN)).toEqual([]);
    }
  });

  it('CDS Hooks 1.0 response and discovery examples still conform to 2.0.1', () => {
    expect(responseViolations(fixture('spec-1.0/response-example.json'))).toEqual([]);
    expect(discoveryViolations(fixture('spec-1.0/discovery-response-medication-echo.json'))).toEqual([]);
  });

  it("Inferno CRD test kit's alternate-request card passes the spec but not our ownOutput contract", () => {
    const card = clientFixture('crd-test-kit_card_propose_alternate_request.json');
    expect(cardViolations(card)).toEqual([]);
    expect(cardViolations(card, OWN)).toEqual([
      'uuid: required for every card in our own output (feedback refers to it), missing',
      'suggestions[0].uuid: required for every suggestion in our own output (feedback refers to it), missing',
      'suggestions[0].actions: empty array is not allowed (omit the property instead)',
    ]);
  });
});

describe('NONCONFORMANT fixtures fail with the expected violation', () => {
  it('cds-hooks.org quickstart: indicator "success"', () => {
    const body = fixture('cds-hooks-org-docs/nonconformant/quickstart-card-indicator-success.NONCONFORMANT.json');
    expect(responseViolations(body)).toEqual([
      'cards[0].indicator: must be one of info|warning|critical (got "success")',
    ]);
    expect(() => assertConformantResponse(body)).toThrow(
      'CDS Hooks response is not conformant (1 violation(s)):\n- cards[0].indicator: must be one of info|warning|critical (got "success")',
    );
  });

  it('cds-hooks.org quickstart: source.url null (bare card, and wrapped into a response)', () => {
    const card = fixture('cds-hooks-org-docs/nonconformant/quickstart-card-source-url-null.NONCONFORMANT.json');
    expect(cardViolations(card)).toEqual([`source.url: ${NULL}`]);
    expect(responseViolations({ cards: [card] })).toEqual([`cards[0].source.url: ${NULL}`]);
  });

  it('cds-hooks.org quickstart: discovery uses `name` instead of `title`', () => {
    // Under 2.0.1 `title` is RECOMMENDED (not REQUIRED), so its absence alone is not a spec violation. The
    // violation is the undefined member `name`: 2.0.1 reserves `extension` for non-standard data, and the HL7
    // logical models reject unknown properties. The client ignores `name` and shows no title.
    const body = fixture('cds-hooks-org-docs/nonconformant/quickstart-discovery-name-not-title.NONCONFORMANT.json');
    expect(discoveryViolations(body)).toEqual([`services[0].name: ${UNKNOWN}`]);
    expect(discoveryViolations(body, OWN)).toEqual([
      `services[0].name: ${UNKNOWN}`,
      'services[0].title: required in our own output (RECOMMENDED by the spec), missing',
    ]);
    expect(() => assertConformantDiscovery(body)).toThrow('services[0].name: unknown property');
  });

  it('cds-hooks.org opioid example: bare card without source (and it is not a response)', () => {
    const card = fixture('cds-hooks-org-docs/nonconformant/opioid-card-bare.NONCONFORMANT.json');
    expect(cardViolations(card)).toEqual(['source: required, missing']);
    expect(responseViolations(card)).toEqual([
      `summary: ${UNKNOWN}`,
      `indicator: ${UNKNOWN}`,
      `links: ${UNKNOWN}`,
      `detail: ${UNKNOWN}`,
      'cards: required array, missing',
    ]);
  });

  it('spec 2.0.1 response-autolaunchable-link: card has no indicator', () => {
    expect(responseViolations(fixture('spec-2.0/response/response-autolaunchable-link.json'))).toEqual([
      'cards[0].indicator: required, missing',
    ]);
  });

  it('spec 2.0.1 response-system-actions-only and cds-hooks.org radiology example: action without description', () => {
    for (const f of [
      'spec-2.0/response/response-system-actions-only.json',
      'cds-hooks-org-docs/radiology-system-actions-response.json',
    ]) {
      expect(responseViolations(fixture(f))).toEqual(['systemActions[0].description: required, missing']);
    }
  });

  it('CDS Hooks 1.0 delete action with a "Type/id" resource string: deprecated, allowed by the spec, not in ownOutput', () => {
    const action = fixture('spec-1.0/action-delete-resource-string.json');
    const card = minimalCard({ selectionBehavior: 'any', suggestions: [{ label: 'Remove', actions: [action] }] });
    expect(cardViolations(card)).toEqual([]);
    const own: Json = { ...card, uuid: '0b6f2c3e-5a41-4f0e-9d2a-1c3b4d5e6f70' };
    (own.suggestions as Json[])[0]!['uuid'] = '7d1e9b2a-3c4f-4a5b-8c6d-7e8f9a0b1c2d';
    expect(cardViolations(own, OWN)).toEqual([
      'suggestions[0].actions[0].resourceId: required for a delete action in our own output, missing',
      'suggestions[0].actions[0].resource: not allowed on a delete action in our own output (deprecated; use resourceId)',
    ]);
  });

  it('3.0-ballot FHIRPath prefetch tokens are not valid 2.0.1 prefetch tokens', () => {
    const { prefetch } = fixture('spec-3.0-ballot/fragments/prefetch-template-fhirpath-relative-date.json');
    const body = { services: [{ hook: 'order-sign', description: 'D', id: 'svc', prefetch }] };
    expect(discoveryViolations(body)).toEqual([
      'services[0].prefetch.labsFromLastQuarter: prefetch token {{today() - 90 days}} is neither context.<field> nor a user identifier',
    ]);
  });
});

describe('hand-built cards: every rule', () => {
  it('our model card passes both modes', () => {
    expect(cardViolations(ownCard(), OWN)).toEqual([]);
    expect(responseViolations({ cards: [ownCard()] }, OWN)).toEqual([]);
  });

  it('summary: 139 characters pass, 140 fail; counted in code points', () => {
    expect(cardViolations(minimalCard({ summary: 'x'.repeat(139) }))).toEqual([]);
    expect(cardViolations(minimalCard({ summary: 'x'.repeat(140) }))).toEqual([
      'summary: must be shorter than 140 characters (has 140)',
    ]);
    expect(responseViolations({ cards: [minimalCard({ summary: 'y'.repeat(152) })] })).toEqual([
      'cards[0].summary: must be shorter than 140 characters (has 152)',
    ]);
    expect(cardViolations(minimalCard({ summary: '\u{1F48A}'.repeat(139) }))).toEqual([]);
  });

  it('summary, indicator and source are required; types are checked', () => {
    expect(cardViolations({})).toEqual([
      'summary: required, missing',
      'indicator: required, missing',
      'source: required, missing',
    ]);
    expect(cardViolations(minimalCard({ summary: 42, indicator: 'hard-stop', detail: ['x'] }))).toEqual([
      'summary: must be a string (got number)',
      'detail: must be a string (got array)',
      'indicator: must be one of info|warning|critical (got "hard-stop")',
    ]);
    expect(cardViolations('card')).toEqual(['$: card must be a JSON object (got string)']);
  });

  it('source: label required, url and icon absolute http(s) URLs, topic a Coding', () => {
    const card = minimalCard({
      source: { url: '/kb/1', icon: 'javascript:alert(1)', topic: { code: 'DRG', display: 7 } },
    });
    expect(cardViolations(card)).toEqual([
      'source.label: required, missing',
      'source.url: must be an absolute http(s) URL (got "/kb/1")',
      'source.icon: must be an absolute http(s) URL (got "javascript:alert(1)")',
      'source.topic.system: required, missing',
      'source.topic.display: must be a string (got number)',
    ]);
    expect(cardViolations(minimalCard({ source: 'Example' }))).toEqual(['source: must be an object (got string)']);
  });

  it('suggestions without selectionBehavior; bad selectionBehavior; at-most-one with two recommended', () => {
    const suggestions = [
      { label: 'A', isRecommended: true },
      { label: 'B', isRecommended: true },
    ];
    expect(cardViolations(minimalCard({ suggestions }))).toEqual([
      'selectionBehavior: required when suggestions are present, missing',
    ]);
    expect(cardViolations(minimalCard({ suggestions, selectionBehavior: 'all' }))).toEqual([
      'selectionBehavior: must be one of at-most-one|any (got "all")',
    ]);
    expect(cardViolations(minimalCard({ suggestions, selectionBehavior: 'at-most-one' }))).toEqual([
      'suggestions: 2 suggestions have isRecommended true but selectionBehavior is "at-most-one"',
    ]);
    expect(cardViolations(minimalCard({ suggestions, selectionBehavior: 'any' }))).toEqual([]);
  });

  it('suggestion: label required, isRecommended boolean, actions an array; uuid required in ownOutput', () => {
    const card = minimalCard({ selectionBehavior: 'any', suggestions: [{ isRecommended: 'yes', actions: {} }] });
    expect(cardViolations(card)).toEqual([
      'suggestions[0].label: required, missing',
      'suggestions[0].isRecommended: must be a boolean (got string)',
      'suggestions[0].actions: must be an array (got object)',
    ]);
    const own = ownCard();
    delete (own.suggestions as Json[])[1]!['uuid'];
    expect(cardViolations(own, OWN)).toEqual([
      'suggestions[1].uuid: required for every suggestion in our own output (feedback refers to it), missing',
    ]);
  });

  it('actions: type, description, resource for create/update, resourceId for delete', () => {
    const actions = [
      { type: 'replace', description: 'x' },
      { type: 'create' },
      { type: 'update', description: 'u', resource: { id: 'no-type' } },
      { type: 'create', description: 'c', resource: 'MedicationRequest/1' },
      { type: 'delete', description: 'd' },
      { type: 'delete', description: 'd', resourceId: 'draft-1' },
      { type: 'delete', description: 'd', resourceId: 12 },
    ];
    const card = minimalCard({ selectionBehavior: 'any', suggestions: [{ label: 'S', actions }] });
    const p = 'suggestions[0].actions';
    expect(cardViolations(card)).toEqual([
      `${p}[0].type: must be one of create|update|delete (got "replace")`,
      `${p}[1].description: required, missing`,
      `${p}[1].resource: required for a create action, missing`,
      `${p}[2].resource.resourceType: a FHIR resource needs a string resourceType`,
      `${p}[3].resource: must be a FHIR resource object (got string)`,
      `${p}[4].resourceId: a delete action needs resourceId (or the deprecated resource), missing`,
      `${p}[5].resourceId: must be a relative reference "Type/id" (got "draft-1")`,
      `${p}[6].resourceId: must be a string (got number)`,
    ]);
  });

  it('overrideReasons: display is REQUIRED, code and system too', () => {
    const card = minimalCard({
      overrideReasons: [{ system: 'http://example.org/r', code: 'a' }, { display: 'No code' }],
    });
    expect(cardViolations(card)).toEqual([
      'overrideReasons[0].display: required for an override reason, missing',
      'overrideReasons[1].code: required, missing',
      'overrideReasons[1].system: required, missing',
    ]);
    expect(cardViolations(minimalCard({ overrideReasons: { code: 'a' } }))).toEqual([
      'overrideReasons: must be an array (got object)',
    ]);
  });

  it('links: label, absolute url, type absolute|smart, appContext only for smart, autolaunchable boolean', () => {
    const links = [
      { url: 'https://example.org', type: 'absolute' },
      { label: 'L', type: 'smart' },
      { label: 'L', url: 'example.org/page', type: 'absolute' },
      { label: 'L', url: 'https://example.org', type: 'web' },
      { label: 'L', url: 'https://example.org', type: 'absolute', appContext: 'x', autolaunchable: 'true' },
    ];
    expect(cardViolations(minimalCard({ links }))).toEqual([
      'links[0].label: required, missing',
      'links[1].url: required, missing',
      'links[2].url: must be an absolute http(s) URL (got "example.org/page")',
      'links[3].type: must be one of absolute|smart (got "web")',
      'links[4].appContext: not allowed on an "absolute" link (only for "smart")',
      'links[4].autolaunchable: must be a boolean (got string)',
    ]);
  });

  it('null nested deep is reported with its full path, in both modes', () => {
    const card = ownCard();
    const create = ((card.suggestions as Json[])[1]!['actions'] as Json[])[1]!;
    create['resource'] = {
      resourceType: 'MedicationRequest',
      dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: null } }] }],
    };
    const expected = `cards[0].suggestions[1].actions[1].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value: ${NULL}`;
    expect(responseViolations({ cards: [card] })).toEqual([expected]);
    expect(responseViolations({ cards: [card] }, OWN)).toEqual([expected]);
    expect(responseViolations({ cards: [null] })).toEqual([`cards[0]: ${NULL}`]);
    expect(cardViolations(minimalCard({ detail: null }))).toEqual([`detail: ${NULL}`]);
  });

  it('FHIR primitive arrays may hold null where the `_name` sibling carries the entry (FHIR JSON rule)', () => {
    const resource = {
      resourceType: 'Patient',
      name: [{ given: ['Ann', null], _given: [null, { extension: [{ url: 'http://x', valueCode: 'IN' }] }] }],
    };
    const card = minimalCard({
      selectionBehavior: 'any',
      suggestions: [{ label: 'S', actions: [{ type: 'update', description: 'u', resource }] }],
    });
    // given[1] is exempt; _given[0] is a plain null and is reported.
    expect(cardViolations(card)).toEqual([`suggestions[0].actions[0].resource.name[0]._given[0]: ${NULL}`]);
  });

  it('ownOutput: card and suggestion uuids are required, RFC 4122 and unique within the response', () => {
    const dup = '0b6f2c3e-5a41-4f0e-9d2a-1c3b4d5e6f70';
    expect(responseViolations({ cards: [ownCard(), ownCard()] }, OWN)).toEqual([
      `cards[1].uuid: duplicate uuid "${dup}" (also at cards[0].uuid)`,
      'cards[1].suggestions[0].uuid: duplicate uuid "7d1e9b2a-3c4f-4a5b-8c6d-7e8f9a0b1c2d" (also at cards[0].suggestions[0].uuid)',
      'cards[1].suggestions[1].uuid: duplicate uuid "2f3a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b" (also at cards[0].suggestions[1].uuid)',
    ]);
    // The spec alone does not require uuids to be unique or well-formed.
    expect(responseViolations({ cards: [ownCard(), ownCard({ uuid: 'card-1' })] })).toEqual([]);
    expect(cardViolations(ownCard({ uuid: 'card-1' }), OWN)).toEqual([
      'uuid: must be an RFC 4122 UUID in our own output (got "card-1")',
    ]);
    expect(cardViolations(minimalCard({ uuid: 5 }))).toEqual(['uuid: must be a string (got number)']);
  });

  it('ownOutput: empty arrays, objects and strings are violations (except the top-level cards array)', () => {
    const card = ownCard({ links: [], detail: '  ', extension: {} });
    expect(cardViolations(card)).toEqual([]);
    expect(cardViolations(card, OWN)).toEqual([
      'detail: empty string is not allowed (omit the property instead)',
      'links: empty array is not allowed (omit the property instead)',
      'extension: empty object is not allowed (omit the property instead)',
    ]);
    expect(responseViolations({ cards: [], systemActions: [] }, OWN)).toEqual([
      'systemActions: empty array is not allowed (omit the property instead)',
    ]);
    expect(responseViolations({ cards: [], systemActions: [] })).toEqual([]);
  });

  it('unknown properties and non-object extensions are reported; object extensions are fine', () => {
    expect(cardViolations(minimalCard({ severity: 'high', extension: { 'org.example.severity': 'high' } }))).toEqual([
      `severity: ${UNKNOWN}`,
    ]);
    expect(cardViolations(minimalCard({ source: { label: 'S', extension: 'x' } }))).toEqual([
      'source.extension: must be a JSON object (got string)',
    ]);
  });
});

describe('responses and discovery documents', () => {
  it('response: cards required and an array; systemActions are actions', () => {
    expect(responseViolations({})).toEqual(['cards: required array, missing']);
    expect(responseViolations({ cards: {} })).toEqual(['cards: must be an array (got object)']);
    expect(responseViolations([])).toEqual(['$: response must be a JSON object (got array)']);
    expect(responseViolations(null)).toEqual([`$: ${NULL}`]);
    expect(
      responseViolations(
        {
          cards: [],
          systemActions: [{ type: 'update', description: 'u', resource: { resourceType: 'ServiceRequest', id: '1' } }],
        },
        OWN,
      ),
    ).toEqual([]);
  });

  it('assertConformantResponse lists every violation', () => {
    expect(() => assertConformantResponse({ cards: [{ summary: 'x' }] })).toThrow(
      'CDS Hooks response is not conformant (2 violation(s)):\n- cards[0].indicator: required, missing\n- cards[0].source: required, missing',
    );
  });

  it('discovery: services array; hook, id, description required; prefetch strings with 2.0.1 tokens', () => {
    expect(discoveryViolations({})).toEqual(['services: required array, missing']);
    expect(discoveryViolations({ services: [] }, OWN)).toEqual([]);
    const body = {
      services: [
        {
          title: 7,
          prefetch: { a: 1, b: 'Patient/{{patientId}}', c: 'Patient/{{context.patientId}' },
          usageRequirements: ['x'],
        },
        { hook: 'order-sign', description: 'D', id: 'svc', prefetch: 'Patient/{{context.patientId}}' },
      ],
    };
    expect(discoveryViolations(body)).toEqual([
      'services[0].hook: required, missing',
      'services[0].title: must be a string (got number)',
      'services[0].description: required, missing',
      'services[0].id: required, missing',
      'services[0].prefetch.a: prefetch template must be a string (got number)',
      'services[0].prefetch.b: prefetch token {{patientId}} is neither context.<field> nor a user identifier',
      'services[0].prefetch.c: unbalanced prefetch token delimiters',
      'services[0].usageRequirements: must be a string (got array)',
      'services[1].prefetch: must be an object of prefetch templates (got string)',
    ]);
  });

  it('discovery ownOutput: title required, id URL-safe, (hook, id) unique; same id on two hooks is allowed', () => {
    const svc = (hook: string, id: string): Json => ({ hook, title: 'T', description: 'D', id });
    const body = {
      services: [
        svc('order-select', 'med-safety'),
        svc('order-sign', 'med-safety'),
        svc('order-sign', 'med-safety'),
        svc('patient-view', 'med safety'),
      ],
    };
    expect(discoveryViolations(body)).toEqual([]);
    expect(discoveryViolations(body, OWN)).toEqual([
      'services[2]: duplicate hook "order-sign" + id "med-safety" (also at services[1])',
      'services[3].id: must be a plain URL path segment in our own output (got "med safety")',
    ]);
  });
});
