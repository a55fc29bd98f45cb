/**
 * CDS Hooks 2.0.1 (STU2) conformance checker for what a CDS *service* sends: cards, service responses and the
 * discovery document. Test-only; it has no dependencies and never reads files.
 *
 * Rules cite the Inferno CDS Hooks 2.0 requirement ids, written `[R83]`, from
 * test/fixtures/cds-hooks/requirements/inferno-cds-hooks-2.0-requirements.csv (column `ID`). They were checked
 * against the spec text (https://cds-hooks.hl7.org/2.0/). Rules with no id are marked as choices and explained.
 *
 * Two strictness levels:
 * - spec level (default): what CDS Hooks 2.0.1 requires of any service;
 * - `ownOutput: true`: the stricter contract for what *this* service emits. Card and suggestion `uuid`s are
 *   required, must be RFC 4122 UUIDs and must be unique within the response. `""`, `[]` and `{}` are banned
 *   everywhere except the top-level `cards` / `services` arrays. `delete` actions must use `resourceId`.
 *   Discovery services must have a `title`, a URL-safe `id`, and a `(hook, id)` pair that is unique.
 *
 * Each violation is `<JSON path>: <rule>`, e.g. `cards[0].summary: must be shorter than 140 characters (has 152)`.
 * The root is `$` and paths are relative to the checked value, so a card's summary is `summary` from
 * `cardViolations` and `cards[0].summary` from `responseViolations`.
 */

export interface ConformanceOptions {
  /** Apply this project's stricter output contract on top of the spec's rules. */
  ownOutput?: boolean;
}

type JsonObject = Record<string, unknown>;

interface Ctx {
  readonly own: boolean;
  readonly out: string[];
  /** uuid → path of its first occurrence (ownOutput uniqueness). */
  readonly uuids: Map<string, string>;
}

const INDICATORS = ['info', 'warning', 'critical'] as const; // [R88]
const SELECTION_BEHAVIORS = ['at-most-one', 'any'] as const; // [R95]
const ACTION_TYPES = ['create', 'update', 'delete'] as const; // [R127]
const LINK_TYPES = ['absolute', 'smart'] as const; // [R142]
/** Non-context prefetch tokens allowed by 2.0.1 [R56]. */
const USER_TOKENS = ['userPractitionerId', 'userPractitionerRoleId', 'userPatientId', 'userRelatedPersonId'];

/*
 * Closed property sets. 2.0.1 defines the members below. It reserves `extension` (an object [R214]) for any
 * non-standard data ("Extensions" section), and the HL7 logical models behind the FHIR Validator (CDSHooksResponse,
 * CDSHooksServices) reject unrecognised properties. So an unknown member is reported, e.g. `name` used where
 * `title` was meant.
 */
const RESPONSE_KEYS = ['cards', 'systemActions', 'extension'];
const CARD_KEYS = [
  'uuid',
  'summary',
  'detail',
  'indicator',
  'source',
  'suggestions',
  'selectionBehavior',
  'overrideReasons',
  'links',
  'extension',
];
const SOURCE_KEYS = ['label', 'url', 'icon', 'topic', 'extension'];
const CODING_KEYS = ['code', 'system', 'display', 'extension'];
const SUGGESTION_KEYS = ['label', 'uuid', 'isRecommended', 'actions', 'extension'];
const ACTION_KEYS = ['type', 'description', 'resource', 'resourceId', 'extension'];
const LINK_KEYS = ['label', 'url', 'type', 'appContext', 'autolaunchable', 'extension'];
const DISCOVERY_KEYS = ['services', 'extension'];
const SERVICE_KEYS = ['hook', 'title', 'description', 'id', 'prefetch', 'usageRequirements', 'extension'];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** A relative FHIR reference `Type/id` (resourceId is "a relative reference to the relevant resource"). */
const RELATIVE_REF_RE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/;
/** A URL path segment without escaping: the service id is the `{id}` of `{baseUrl}/cds-services/{id}` [R10]. */
const URL_SAFE_ID_RE = /^[A-Za-z0-9._~-]+$/;
const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** Violations of one card (paths relative to the card). */
export function cardViolations(card: unknown, opts: ConformanceOptions = {}): string[] {
  const ctx = newCtx(opts);
  checkCard(card, '', ctx);
  checkNullAndEmpty(card, '', ctx, new Set());
  return ctx.out;
}

/** Violations of a CDS service response `{ cards, systemActions? }`. */
export function responseViolations(body: unknown, opts: ConformanceOptions = {}): string[] {
  const ctx = newCtx(opts);
  checkResponse(body, ctx);
  // `cards: []` is the spec's "no guidance" answer, the explicit exception to "not empty" [R3, R77].
  checkNullAndEmpty(body, '', ctx, new Set(['cards']));
  return ctx.out;
}

/**
 * Violations of a discovery document `{ services: [...] }`. `title` is RECOMMENDED in 2.0.1 [R8], so a missing
 * title is only reported with `ownOutput` (our discovery always has one).
 */
export function discoveryViolations(body: unknown, opts: ConformanceOptions = {}): string[] {
  const ctx = newCtx(opts);
  checkDiscovery(body, ctx);
  // "If your CDS server hosts no CDS Services, the discovery endpoint should return ... an empty array of services."
  checkNullAndEmpty(body, '', ctx, new Set(['services']));
  return ctx.out;
}

/** Throws an Error that lists every violation when `body` is not a conformant CDS service response. */
export function assertConformantResponse(body: unknown, opts: ConformanceOptions = {}): void {
  throwIfAny('CDS Hooks response', responseViolations(body, opts));
}

/** Throws an Error that lists every violation when `body` is not a conformant discovery document. */
export function assertConformantDiscovery(body: unknown, opts: ConformanceOptions = {}): void {
  throwIfAny('CDS Hooks discovery document', discoveryViolations(body, opts));
}

// ---------------------------------------------------------------------------------------------------------------
// Structure

function checkResponse(body: unknown, ctx: Ctx): void {
  if (!isObject(body)) {
    if (body !== null) ctx.out.push(`$: response must be a JSON object (got ${typeName(body)})`);
    return;
  }
  unknownKeys(body, '', RESPONSE_KEYS, ctx);
  // [R74] a `cards` array is required.
  const cards = requireArray(body, 'cards', '', ctx);
  cards?.forEach((card, i) => checkCard(card, `cards[${i}]`, ctx));
  // [R75] optional `systemActions`, an array of Actions.
  const actions = optionalArray(body, 'systemActions', '', ctx);
  actions?.forEach((a, i) => checkAction(a, `systemActions[${i}]`, ctx));
  checkExtension(body, '', ctx);
}

function checkCard(card: unknown, path: string, ctx: Ctx): void {
  if (!isObject(card)) {
    if (card !== null) ctx.out.push(`${at(path)}: card must be a JSON object (got ${typeName(card)})`);
    return;
  }
  unknownKeys(card, path, CARD_KEYS, ctx);

  // [R80, R81] uuid: optional string; our own output needs it for feedback [R79] and the card ledger.
  checkUuid(card, path, 'card', ctx);

  // [R83] summary: required string, "<140-character" (counted in Unicode code points).
  const summary = requireString(card, 'summary', path, ctx);
  if (summary !== undefined) {
    const length = [...summary].length;
    if (length >= 140) ctx.out.push(`${join(path, 'summary')}: must be shorter than 140 characters (has ${length})`);
  }

  // [R84, R85] detail: optional string (GitHub-flavoured markdown; not parsed here).
  optionalString(card, 'detail', path, ctx);

  // [R87, R88] indicator: required, info | warning | critical.
  requireEnum(card, 'indicator', INDICATORS, path, ctx);

  // [R90] source: required object.
  const source = card['source'];
  if (source === undefined) ctx.out.push(`${join(path, 'source')}: required, missing`);
  else checkSource(source, join(path, 'source'), ctx);

  // [R92, R94] suggestions: optional array; [R93, R96] selectionBehavior MUST be present when suggestions are.
  const suggestions = optionalArray(card, 'suggestions', path, ctx);
  suggestions?.forEach((s, i) => checkSuggestion(s, `${join(path, 'suggestions')}[${i}]`, ctx));
  const behavior = card['selectionBehavior'];
  if (card['suggestions'] !== undefined && card['suggestions'] !== null && behavior === undefined) {
    ctx.out.push(`${join(path, 'selectionBehavior')}: required when suggestions are present, missing`);
  }
  optionalEnum(card, 'selectionBehavior', SELECTION_BEHAVIORS, path, ctx); // [R95]
  // [R122] several suggestions may be recommended only when selectionBehavior is `any`.
  if (behavior === 'at-most-one' && suggestions) {
    const recommended = suggestions.filter((s) => isObject(s) && s['isRecommended'] === true).length;
    if (recommended > 1) {
      ctx.out.push(
        `${join(path, 'suggestions')}: ${recommended} suggestions have isRecommended true but selectionBehavior is "at-most-one"`,
      );
    }
  }

  // [R98, R99] overrideReasons: optional array of Coding; [R100, R136, R219] each with a display.
  const reasons = optionalArray(card, 'overrideReasons', path, ctx);
  reasons?.forEach((r, i) => checkCoding(r, `${join(path, 'overrideReasons')}[${i}]`, true, ctx));

  // [R103, R104] links: optional array of Link.
  const links = optionalArray(card, 'links', path, ctx);
  links?.forEach((l, i) => checkLink(l, `${join(path, 'links')}[${i}]`, ctx));

  checkExtension(card, path, ctx);
}

function checkSource(source: unknown, path: string, ctx: Ctx): void {
  if (!isObject(source)) {
    if (source !== null) ctx.out.push(`${at(path)}: must be an object (got ${typeName(source)})`);
    return;
  }
  unknownKeys(source, path, SOURCE_KEYS, ctx);
  requireString(source, 'label', path, ctx); // [R105]
  optionalAbsoluteUrl(source, 'url', path, ctx); // [R107, R108]
  optionalAbsoluteUrl(source, 'icon', path, ctx); // [R111, R113]
  // [R115, R116] topic: optional Coding; [R220] display optional for topic.
  if (source['topic'] !== undefined) checkCoding(source['topic'], join(path, 'topic'), false, ctx);
  checkExtension(source, path, ctx);
}

/** Coding: [R216, R218] code required string; [R217] system required string; display string, [R219] required for overrideReasons. */
function checkCoding(coding: unknown, path: string, displayRequired: boolean, ctx: Ctx): void {
  if (!isObject(coding)) {
    if (coding !== null) ctx.out.push(`${at(path)}: must be a Coding object (got ${typeName(coding)})`);
    return;
  }
  unknownKeys(coding, path, CODING_KEYS, ctx);
  requireString(coding, 'code', path, ctx);
  requireString(coding, 'system', path, ctx);
  if (displayRequired && coding['display'] === undefined) {
    ctx.out.push(`${join(path, 'display')}: required for an override reason, missing`);
  } else {
    optionalString(coding, 'display', path, ctx);
  }
  checkExtension(coding, path, ctx);
}

function checkSuggestion(suggestion: unknown, path: string, ctx: Ctx): void {
  if (!isObject(suggestion)) {
    if (suggestion !== null) ctx.out.push(`${at(path)}: suggestion must be an object (got ${typeName(suggestion)})`);
    return;
  }
  unknownKeys(suggestion, path, SUGGESTION_KEYS, ctx);
  requireString(suggestion, 'label', path, ctx); // [R117]
  // [R118, R119] uuid: optional string; needed for acceptedSuggestions feedback [R162], so required for our output.
  checkUuid(suggestion, path, 'suggestion', ctx);
  optionalBoolean(suggestion, 'isRecommended', path, ctx); // [R120, R121]
  // [R123, R124] actions: optional array of Action.
  const actions = optionalArray(suggestion, 'actions', path, ctx);
  actions?.forEach((a, i) => checkAction(a, `${join(path, 'actions')}[${i}]`, ctx));
  checkExtension(suggestion, path, ctx);
}

function checkAction(action: unknown, path: string, ctx: Ctx): void {
  if (!isObject(action)) {
    if (action !== null) ctx.out.push(`${at(path)}: action must be an object (got ${typeName(action)})`);
    return;
  }
  unknownKeys(action, path, ACTION_KEYS, ctx);
  const type = requireEnum(action, 'type', ACTION_TYPES, path, ctx); // [R127]
  requireString(action, 'description', path, ctx); // [R128] (also for systemActions in 2.0.1)

  const resource = action['resource'];
  const resourceId = action['resourceId'];
  if (type === 'create' || type === 'update') {
    // [R130, R131, R132] create: the new resource; update: the whole updated resource.
    if (resource === undefined) ctx.out.push(`${join(path, 'resource')}: required for a ${type} action, missing`);
    else checkResource(resource, join(path, 'resource'), ctx);
  } else if (type === 'delete') {
    // [R133, R134] delete: resourceId SHOULD be used; the 1.0 `resource: "Type/id"` string is deprecated.
    if (ctx.own) {
      if (resourceId === undefined)
        ctx.out.push(`${join(path, 'resourceId')}: required for a delete action in our own output, missing`);
      if (resource !== undefined && resource !== null) {
        ctx.out.push(
          `${join(path, 'resource')}: not allowed on a delete action in our own output (deprecated; use resourceId)`,
        );
      }
    } else if (resourceId === undefined && resource === undefined) {
      ctx.out.push(
        `${join(path, 'resourceId')}: a delete action needs resourceId (or the deprecated resource), missing`,
      );
    } else if (resource !== undefined && resource !== null) {
      if (typeof resource === 'string') checkRelativeRef(resource, join(path, 'resource'), ctx);
      else checkResource(resource, join(path, 'resource'), ctx);
    }
  }
  // [R135] resourceId: a string holding a relative reference.
  if (resourceId !== undefined && resourceId !== null) {
    if (typeof resourceId !== 'string') {
      ctx.out.push(`${join(path, 'resourceId')}: must be a string (got ${typeName(resourceId)})`);
    } else {
      checkRelativeRef(resourceId, join(path, 'resourceId'), ctx);
    }
  }
  checkExtension(action, path, ctx);
}

/** [R130] "A FHIR resource": a JSON object with a string resourceType. Its content is FHIR's business, not checked. */
function checkResource(resource: unknown, path: string, ctx: Ctx): void {
  if (resource === null) return;
  if (!isObject(resource)) {
    ctx.out.push(`${at(path)}: must be a FHIR resource object (got ${typeName(resource)})`);
    return;
  }
  if (typeof resource['resourceType'] !== 'string') {
    ctx.out.push(`${join(path, 'resourceType')}: a FHIR resource needs a string resourceType`);
  }
}

function checkRelativeRef(ref: string, path: string, ctx: Ctx): void {
  if (!RELATIVE_REF_RE.test(ref)) {
    ctx.out.push(`${path}: must be a relative reference "Type/id" (got ${JSON.stringify(ref)})`);
  }
}

function checkLink(link: unknown, path: string, ctx: Ctx): void {
  if (!isObject(link)) {
    if (link !== null) ctx.out.push(`${at(path)}: link must be an object (got ${typeName(link)})`);
    return;
  }
  unknownKeys(link, path, LINK_KEYS, ctx);
  requireString(link, 'label', path, ctx); // [R138]
  // [R139] url: required URL; absolute (both link types are absolute URLs [R142]).
  if (link['url'] === undefined) ctx.out.push(`${join(path, 'url')}: required, missing`);
  else optionalAbsoluteUrl(link, 'url', path, ctx);
  const type = requireEnum(link, 'type', LINK_TYPES, path, ctx); // [R141, R142]
  optionalString(link, 'appContext', path, ctx); // [R144, R145]
  // [R146, R147] appContext is not valid for absolute links.
  if (type === 'absolute' && link['appContext'] !== undefined && link['appContext'] !== null) {
    ctx.out.push(`${join(path, 'appContext')}: not allowed on an "absolute" link (only for "smart")`);
  }
  optionalBoolean(link, 'autolaunchable', path, ctx);
  checkExtension(link, path, ctx);
}

function checkDiscovery(body: unknown, ctx: Ctx): void {
  if (!isObject(body)) {
    if (body !== null) ctx.out.push(`$: discovery document must be a JSON object (got ${typeName(body)})`);
    return;
  }
  unknownKeys(body, '', DISCOVERY_KEYS, ctx);
  // [R6] an object containing a list of CDS Services.
  const services = requireArray(body, 'services', '', ctx);
  const seen = new Map<string, string>();
  services?.forEach((service, i) => {
    const path = `services[${i}]`;
    if (!isObject(service)) {
      if (service !== null) ctx.out.push(`${path}: service must be an object (got ${typeName(service)})`);
      return;
    }
    unknownKeys(service, path, SERVICE_KEYS, ctx);
    const hook = requireString(service, 'hook', path, ctx); // [R7]
    // [R8] title: RECOMMENDED in 2.0.1 (a SHOULD), always present in our own discovery.
    if (ctx.own && service['title'] === undefined) {
      ctx.out.push(`${join(path, 'title')}: required in our own output (RECOMMENDED by the spec), missing`);
    } else {
      optionalString(service, 'title', path, ctx);
    }
    requireString(service, 'description', path, ctx); // [R9]
    const id = requireString(service, 'id', path, ctx); // [R10]
    if (ctx.own && id !== undefined && id !== '') {
      if (!URL_SAFE_ID_RE.test(id))
        ctx.out.push(
          `${join(path, 'id')}: must be a plain URL path segment in our own output (got ${JSON.stringify(id)})`,
        );
      // The same id may serve several hooks (update stale guidance [R211]); the same (hook, id) twice is ambiguous.
      if (hook !== undefined) {
        const key = `${hook}\u0000${id}`;
        const first = seen.get(key);
        if (first !== undefined) ctx.out.push(`${path}: duplicate hook "${hook}" + id "${id}" (also at ${first})`);
        else seen.set(key, path);
      }
    }
    checkPrefetchTemplates(service, path, ctx); // [R11, R55, R56, R57, R59]
    optionalString(service, 'usageRequirements', path, ctx); // [R12]
    checkExtension(service, path, ctx);
  });
  checkExtension(body, '', ctx);
}

function checkPrefetchTemplates(service: JsonObject, path: string, ctx: Ctx): void {
  const prefetch = service['prefetch'];
  if (prefetch === undefined || prefetch === null) return;
  const prefetchPath = join(path, 'prefetch');
  if (!isObject(prefetch)) {
    ctx.out.push(`${prefetchPath}: must be an object of prefetch templates (got ${typeName(prefetch)})`);
    return;
  }
  for (const [key, template] of Object.entries(prefetch)) {
    const keyPath = join(prefetchPath, key);
    if (template === null) continue;
    if (typeof template !== 'string') {
      ctx.out.push(`${keyPath}: prefetch template must be a string (got ${typeName(template)})`);
      continue;
    }
    // [R55] tokens are delimited by {{ }}; [R56, R59] and hold only context.<field> or a user identifier.
    for (const match of template.matchAll(/\{\{(.*?)\}\}/g)) {
      const token = (match[1] ?? '').trim();
      const ok = /^context\.[A-Za-z][A-Za-z0-9_-]*$/.test(token) || USER_TOKENS.includes(token);
      if (!ok) ctx.out.push(`${keyPath}: prefetch token ${match[0]} is neither context.<field> nor a user identifier`);
    }
    const rest = template.replace(/\{\{.*?\}\}/g, '');
    if (rest.includes('{{') || rest.includes('}}')) ctx.out.push(`${keyPath}: unbalanced prefetch token delimiters`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Null and empty values [R3]: "JSON elements SHALL NOT be null ... [or] empty, unless otherwise specified".
// null is reported at both levels. Empty strings (also whitespace-only), arrays and objects are reported only
// with ownOutput. Inside a FHIR resource, FHIR JSON itself allows a null entry in an array of primitives whose
// `_name` sibling carries that entry's id/extension, and that is exempt.

function checkNullAndEmpty(value: unknown, path: string, ctx: Ctx, emptyAllowed: ReadonlySet<string>): void {
  if (value === null) {
    ctx.out.push(`${at(path)}: null is not allowed (omit the property instead)`);
    return;
  }
  if (typeof value === 'string') {
    if (ctx.own && value.trim() === '')
      ctx.out.push(`${at(path)}: empty string is not allowed (omit the property instead)`);
    return;
  }
  if (Array.isArray(value)) {
    if (ctx.own && value.length === 0 && !emptyAllowed.has(path)) {
      ctx.out.push(`${at(path)}: empty array is not allowed (omit the property instead)`);
    }
    value.forEach((item, i) => checkNullAndEmpty(item, `${path}[${i}]`, ctx, emptyAllowed));
    return;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (ctx.own && entries.length === 0 && !emptyAllowed.has(path)) {
      ctx.out.push(`${at(path)}: empty object is not allowed (omit the property instead)`);
    }
    for (const [key, child] of entries) {
      const childPath = join(path, key);
      if (Array.isArray(child)) {
        const shadow = value[`_${key}`];
        child.forEach((item, i) => {
          const fhirPrimitiveGap = item === null && Array.isArray(shadow) && isObject(shadow[i]);
          if (!fhirPrimitiveGap) checkNullAndEmpty(item, `${childPath}[${i}]`, ctx, emptyAllowed);
        });
        if (ctx.own && child.length === 0 && !emptyAllowed.has(childPath)) {
          ctx.out.push(`${childPath}: empty array is not allowed (omit the property instead)`);
        }
      } else {
        checkNullAndEmpty(child, childPath, ctx, emptyAllowed);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers. A property whose value is null is left to checkNullAndEmpty (one violation per problem).

function newCtx(opts: ConformanceOptions): Ctx {
  return { own: opts.ownOutput === true, out: [], uuids: new Map() };
}

function throwIfAny(what: string, violations: string[]): void {
  if (violations.length === 0) return;
  throw new Error(`${what} is not conformant (${violations.length} violation(s)):\n- ${violations.join('\n- ')}`);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function join(base: string, key: string): string {
  if (IDENT_RE.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function at(path: string): string {
  return path === '' ? '$' : path;
}

function unknownKeys(obj: JsonObject, path: string, allowed: readonly string[], ctx: Ctx): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      ctx.out.push(
        `${join(path, key)}: unknown property (not defined by CDS Hooks 2.0.1; non-standard data belongs in "extension")`,
      );
    }
  }
}

function requireString(obj: JsonObject, key: string, path: string, ctx: Ctx): string | undefined {
  if (obj[key] === undefined) {
    ctx.out.push(`${join(path, key)}: required, missing`);
    return undefined;
  }
  return optionalString(obj, key, path, ctx);
}

function optionalString(obj: JsonObject, key: string, path: string, ctx: Ctx): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    ctx.out.push(`${join(path, key)}: must be a string (got ${typeName(v)})`);
    return undefined;
  }
  return v;
}

function optionalBoolean(obj: JsonObject, key: string, path: string, ctx: Ctx): void {
  const v = obj[key];
  if (v !== undefined && v !== null && typeof v !== 'boolean') {
    ctx.out.push(`${join(path, key)}: must be a boolean (got ${typeName(v)})`);
  }
}

function requireEnum<T extends string>(
  obj: JsonObject,
  key: string,
  values: readonly T[],
  path: string,
  ctx: Ctx,
): T | undefined {
  if (obj[key] === undefined) {
    ctx.out.push(`${join(path, key)}: required, missing`);
    return undefined;
  }
  return optionalEnum(obj, key, values, path, ctx);
}

function optionalEnum<T extends string>(
  obj: JsonObject,
  key: string,
  values: readonly T[],
  path: string,
  ctx: Ctx,
): T | undefined {
  const v = optionalString(obj, key, path, ctx);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    ctx.out.push(`${join(path, key)}: must be one of ${values.join('|')} (got ${JSON.stringify(v)})`);
    return undefined;
  }
  return v as T;
}

function requireArray(obj: JsonObject, key: string, path: string, ctx: Ctx): unknown[] | undefined {
  if (obj[key] === undefined) {
    ctx.out.push(`${join(path, key)}: required array, missing`);
    return undefined;
  }
  return optionalArray(obj, key, path, ctx);
}

function optionalArray(obj: JsonObject, key: string, path: string, ctx: Ctx): unknown[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    ctx.out.push(`${join(path, key)}: must be an array (got ${typeName(v)})`);
    return undefined;
  }
  return v;
}

function optionalAbsoluteUrl(obj: JsonObject, key: string, path: string, ctx: Ctx): void {
  const v = optionalString(obj, key, path, ctx);
  if (v === undefined) return;
  let ok: boolean;
  try {
    const url = new URL(v);
    ok = url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    ok = false;
  }
  if (!ok) ctx.out.push(`${join(path, key)}: must be an absolute http(s) URL (got ${JSON.stringify(v)})`);
}

/** [R214] The value of an extension element MUST be a pre-coordinated JSON object. */
function checkExtension(obj: JsonObject, path: string, ctx: Ctx): void {
  const ext = obj['extension'];
  if (ext !== undefined && ext !== null && !isObject(ext)) {
    ctx.out.push(`${join(path, 'extension')}: must be a JSON object (got ${typeName(ext)})`);
  }
}

/** Card / suggestion uuid: [R80, R119] a string when present; ownOutput: required, RFC 4122, unique in the response. */
function checkUuid(obj: JsonObject, path: string, what: 'card' | 'suggestion', ctx: Ctx): void {
  const p = join(path, 'uuid');
  if (obj['uuid'] === undefined) {
    if (ctx.own) ctx.out.push(`${p}: required for every ${what} in our own output (feedback refers to it), missing`);
    return;
  }
  const uuid = optionalString(obj, 'uuid', path, ctx);
  if (uuid === undefined || !ctx.own || uuid.trim() === '') return;
  if (!UUID_RE.test(uuid))
    ctx.out.push(`${p}: must be an RFC 4122 UUID in our own output (got ${JSON.stringify(uuid)})`);
  const first = ctx.uuids.get(uuid);
  if (first !== undefined) ctx.out.push(`${p}: duplicate uuid ${JSON.stringify(uuid)} (also at ${first})`);
  else ctx.uuids.set(uuid, p);
}
