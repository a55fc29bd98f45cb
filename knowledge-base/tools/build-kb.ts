/**
 * Regenerates the codes of the knowledge base from the shared reference data.
 *
 *   npx tsx knowledge-base/tools/build-kb.ts <path-to-shared> [--write] [--only=<interactions file.json>]
 *
 * Without --write it only reports. With --write it rewrites, under knowledge-base/:
 *   interactions/*.json  (only the `ingredients` arrays of each side and the alternatives' rxcui; prose untouched)
 *   classes.json         (members)
 *   ingredients.json, products.json (whole files)
 * and the reduced reference rows under knowledge-base/reference/ (read at run time by `cds kb validate` and by the tests).
 * Nothing is written unless every step succeeds. Products (knowledge-base/README.md, "Regenerating"): (a) every SCD of
 * the 2025 extract holding a registered ingredient (class or interaction member, alternative, COMMON_INGREDIENTS);
 * (b) NDF-RT 2014 VA and Synthea products of registered ingredients the extract lacks; (c) every RxNorm code of the
 * shared FHIR and CDS Hooks fixtures, codes absent from the extract only when two sources agree (Synthea, NDF-RT VA,
 * openFDA records from kb-sources.ts, the RxNorm 2025 name); (d) strengths and dose form parsed from the name.
 * Maintenance tool only: never run by the app or the tests.
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadSources,
  loadSandbox,
  confirmations,
  ndfrtIngredientName,
  sandboxSubstances,
  verifyIngredientByName,
  verifyCode,
  type Sources,
  type Verified,
  type ScdRow,
  componentSubstance,
  splitComponent,
  parseClinicalDrugName,
  isVaProduct,
  vaName,
  vaSingleIngredient,
  FDA_LABEL_RECORDS,
  type LabelRecord,
} from './kb-sources.js';
import { namesBrand, correctSyntheaSpelling, vaNamesIngredients } from '../../src/knowledge/validate.js';
import { NAME_FIXES, GLOBAL_DROPS, type SideSpec } from './member-spec.js';
import { ENTRIES, CLASSES } from './all-specs.js';
import { COMMON_INGREDIENTS } from './spec/therapeutic-classes.js';

const args = process.argv.slice(2);
const sharedDir = args.find((a) => !a.startsWith('--'));
if (!sharedDir) {
  console.error('usage: npx tsx knowledge-base/tools/build-kb.ts <path-to-shared> [--write]');
  process.exit(2);
}
const WRITE = args.includes('--write');
const KB = join(dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = join(KB, 'reference');
const src: Sources = loadSources(join(sharedDir, 'kb-sources'));

const log: string[] = [];
const note = (s: string) => log.push(s);
/** One CSV cell (RFC 4180 quoting when needed). */
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

// ---------------------------------------------------------------- ingredients registry
interface IngRec extends Verified {
  baseIngredients: string[];
}
const ingredients = new Map<string, IngRec>();
function register(v: Verified, base: string[] = []) {
  const prev = ingredients.get(v.rxcui);
  if (prev && prev.name !== v.name) throw new Error(`${v.rxcui} registered as ${prev.name} and ${v.name}`);
  if (!prev) ingredients.set(v.rxcui, { ...v, baseIngredients: base });
}
/** Resolve a name to an IN (a PIN name is mapped to its IN through NAME_FIXES). */
function resolveIn(name: string, context: string): Verified | undefined {
  const fixed = NAME_FIXES[name]?.name ?? name;
  const v = verifyIngredientByName(src, fixed);
  if (!v) return undefined;
  if (v.tty !== 'IN') throw new Error(`${context}: ${name} resolves to ${v.tty} ${v.rxcui}; add a NAME_FIXES entry`);
  register(v);
  return v;
}

// ---------------------------------------------------------------- members
type Side = { ingredients: string[]; classes: string[] };
const resolvedSides = new Map<string, { a: Side; b: Side }>();
const exclusions: { list: string; no: number; side: string; name: string; rxcui: string; reason: string }[] = [];

function oncRows(list: 'high' | 'low', no: number, side: string) {
  const t = list === 'high' ? src.oncHigh : src.oncLow;
  const key = list === 'high' ? 'paper_candidate_no' : 'pair_no';
  return t.rows.filter((r) => Number(r[key]) === no && r.side === side);
}

const classIds = new Set(CLASSES.map((c) => c.id));
function resolveSide(entryId: string, spec: SideSpec): Side {
  for (const c of spec.classes ?? []) if (!classIds.has(c)) throw new Error(`${entryId}: class ${c} is not specified`);
  const out = new Set<string>();
  if (spec.onc) {
    const { list, no, side, only } = spec.onc;
    const rows = oncRows(list, no, side);
    if (only)
      for (const n of only)
        if (!rows.some((r) => r.normalized_name === n))
          throw new Error(`${entryId}: ${n} not on ONC ${list} #${no} ${side}`);
    const seen = new Set<string>();
    for (const r of rows) {
      const n = r.normalized_name!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (only && !only.includes(n)) continue;
      const drop = spec.drop?.find((d) => d.name === n)?.reason ?? GLOBAL_DROPS[n];
      if (drop) {
        exclusions.push({ list, no, side, name: n, rxcui: r.rxcui_ingredient!, reason: drop });
        continue;
      }
      const v = resolveIn(n, entryId);
      if (!v) throw new Error(`${entryId}: ONC member ${n} does not verify and has no documented drop`);
      if (r.rxcui_ingredient && r.rxcui_ingredient !== v.rxcui && !NAME_FIXES[n])
        throw new Error(`${entryId}: ${n} is ${r.rxcui_ingredient} in the ONC sheet but verifies as ${v.rxcui}`);
      out.add(v.rxcui);
    }
    for (const d of spec.drop ?? [])
      if (!rows.some((r) => r.normalized_name === d.name)) throw new Error(`${entryId}: drop ${d.name} not on the row`);
  }
  for (const n of spec.names ?? []) {
    const v = resolveIn(n, entryId);
    if (!v) throw new Error(`${entryId}: member ${n} does not verify`);
    out.add(v.rxcui);
  }
  for (const a of spec.add ?? []) {
    const v = resolveIn(a.name, entryId);
    if (!v) throw new Error(`${entryId}: added ${a.name} does not verify`);
    out.add(v.rxcui);
  }
  return { ingredients: [...out].sort((x, y) => Number(x) - Number(y)), classes: spec.classes ?? [] };
}

for (const e of ENTRIES) resolvedSides.set(e.id, { a: resolveSide(e.id, e.a), b: resolveSide(e.id, e.b) });
const classMembers = new Map<string, string[]>();
for (const c of CLASSES) {
  const codes = c.names.map((n) => {
    const v = resolveIn(n, c.id);
    if (!v) throw new Error(`class ${c.id}: ${n} does not verify`);
    return v.rxcui;
  });
  classMembers.set(
    c.id,
    [...new Set(codes)].sort((x, y) => Number(x) - Number(y)),
  );
}
/** frequently prescribed ingredients in no class (spec/therapeutic-classes.ts): registered so their products map */
const commonSet = new Set<string>();
for (const n of COMMON_INGREDIENTS) {
  const v = resolveIn(n, 'COMMON_INGREDIENTS');
  if (!v) throw new Error(`COMMON_INGREDIENTS: ${n} does not verify`);
  commonSet.add(v.rxcui);
}
const alternatives = new Map<string, { replaces: 'a' | 'b'; rxcui: string; note: string }[]>();
for (const e of ENTRIES)
  alternatives.set(
    e.id,
    (e.alternatives ?? []).map((alt) => {
      const v = resolveIn(alt.name, e.id);
      if (!v) throw new Error(`${e.id}: alternative ${alt.name} does not verify`);
      return { replaces: alt.replaces, rxcui: v.rxcui, note: alt.note };
    }),
  );

/** every ingredient that is a member of an interaction side or a class */
const memberSet = new Set<string>();
for (const s of resolvedSides.values()) for (const c of [...s.a.ingredients, ...s.b.ingredients]) memberSet.add(c);
for (const m of classMembers.values()) for (const c of m) memberSet.add(c);
const altSet = new Set([...alternatives.values()].flat().map((a) => a.rxcui));
/** every IN the specs name (members, alternatives, common ingredients): each of their SCDs is mapped */
const registeredSet = new Set([...memberSet, ...altSet, ...commonSet]);

// ---------------------------------------------------------------- products
interface ProductRec {
  rxcui: string;
  name: string;
  tty: string;
  ingredients: string[];
  verifiedIn: string[];
  evidence: string[]; // fixture lines keyed by file
}
const products = new Map<string, ProductRec>();
const productLines = {
  scd: new Set<string>(),
  syntheaRx: new Set<string>(),
  syntheaCosts: new Set<string>(),
  ndfrt: new Set<string>(),
};
const leftOut: { rxcui: string; name: string; reason: string }[] = [];
const pinRecs = new Map<string, { pin: string; base: Set<string> }>();
let globalPinBase = new Map<string, string>();

const SALT_WORDS = new Set([
  'hydrochloride',
  'sulfate',
  'besylate',
  'maleate',
  'sodium',
  'potassium',
  'calcium',
  'mesylate',
  'tartrate',
  'succinate',
  'acetate',
  'citrate',
  'fumarate',
  'phosphate',
  'hydrobromide',
  'bromide',
  'magnesium',
  'trihydrate',
  'monohydrate',
  'dihydrate',
  'bitartrate',
  'hyclate',
  'dipropionate',
  'propionate',
  'tromethamine',
  'mandelate',
  'aspartate',
  'saccharate',
  'medoxomil',
  'disodium',
  'nitrate',
  'pamoate',
  'lactate',
  'gluconate',
  'napsylate',
  'tosylate',
  'decanoate',
  'valerate',
  'furoate',
  'xinafoate',
  'hcl',
]);
/** bases that are elements: "aluminum sulfate" is its own ingredient, not a salt of "aluminum" */
const ELEMENTS = new Set([
  'aluminum',
  'magnesium',
  'calcium',
  'sodium',
  'potassium',
  'zinc',
  'iron',
  'copper',
  'silver',
  'lithium',
  'ammonium',
]);
export const saltResolutions = new Map<string, string>();
/**
 * An "A…" substance missing from the extract's ingredient columns. A salt name (base + salt word(s)) resolves to
 * the verified IN it names — never to the salt's own code, which the 2014 sources cannot tell apart from an IN.
 * Otherwise the exact name must verify.
 */
function resolveMissing(substance: string): Verified | undefined {
  const lower = substance.toLowerCase();
  const words = lower.split(' ');
  for (let k = words.length - 1; k >= 1; k--) {
    const rest = words.slice(k);
    const base = words.slice(0, k).join(' ');
    if (!rest.every((w) => SALT_WORDS.has(w)) || ELEMENTS.has(base)) continue;
    const v = verifyIngredientByName(src, base);
    if (v && v.tty === 'IN') {
      saltResolutions.set(lower, v.name);
      return v;
    }
  }
  if (SALT_WORDS.has(words[words.length - 1]!) && words.length > 1 && !ELEMENTS.has(words[0]!)) return undefined;
  const exact = verifyIngredientByName(src, lower);
  return exact && exact.tty === 'IN' ? exact : undefined;
}

function analyseScd(row: ScdRow): { ins: string[]; missing: Verified[]; problem?: string } {
  const comps = row.name.split(' / ');
  const ins = new Set<string>();
  const pins: string[] = [];
  row.ingredientRxcuis.forEach((c, i) => {
    const tty = row.ingredientTtys[i];
    const rx = src.rxnByCui.get(c);
    if (!rx || rx.tty !== tty)
      throw new Error(`SCD ${row.rxcui}: ingredient ${c} ${tty} not in the ingredient extract`);
    if (tty === 'IN') ins.add(c);
    else if (tty === 'PIN') pins.push(c);
    else throw new Error(`SCD ${row.rxcui}: unexpected ${tty}`);
  });
  const nameOf = (c: string) => src.rxnByCui.get(c)!.name.toLowerCase();
  // PIN → IN: the IN of the same row whose name starts the PIN name
  const pinBase = new Map<string, string>();
  for (const p of pins) {
    const cands = [...ins].filter((c) => nameOf(p).startsWith(nameOf(c) + ' '));
    if (cands.length === 1) pinBase.set(p, cands[0]!);
  }
  const covered = new Set<string>();
  const missing: Verified[] = [];
  const unmatchedPins: string[] = [];
  let problem: string | undefined;
  const longestFirst = (xs: string[]) => [...xs].sort((x, y) => nameOf(y).length - nameOf(x).length);
  comps.forEach((comp, i) => {
    const sub = componentSubstance(comp, i === 0).toLowerCase();
    // the listed ingredient names, matched as the end of the text before the strength (after any qualifier)
    const split = splitComponent(comp, i === 0);
    const rawText = (split.qualifiers ? split.qualifiers + ' ' : '') + split.before;
    const raw = rawText.toLowerCase();
    const ends = (c: string) => raw === nameOf(c) || raw.endsWith(' ' + nameOf(c));
    const inHit = longestFirst([...ins]).find(ends);
    const pinFirst = longestFirst(pins).find(ends);
    if (inHit && !(pinFirst && nameOf(pinFirst).length > nameOf(inHit).length)) return void covered.add(inHit);
    const pinHit = pinFirst;
    if (pinHit) {
      const b = pinBase.get(pinHit);
      if (b) covered.add(b);
      else unmatchedPins.push(pinHit);
      return;
    }
    // trailing lower-case words of the text: drops capitalised qualifiers such as "Sensor 60 ACTUAT"
    const lowerTail = raw
      .split(' ')
      .reverse()
      .reduce<{ w: string[]; stop: boolean }>(
        (acc, w, j, arr) => {
          const orig = rawText.split(' ').reverse()[j] ?? '';
          if (!acc.stop && !/^(\d|[A-Z])/.test(orig)) acc.w.unshift(w);
          else acc.stop = true;
          void arr;
          return acc;
        },
        { w: [], stop: false },
      )
      .w.join(' ');
    const v = resolveMissing(sub) ?? (lowerTail && lowerTail !== sub ? resolveMissing(lowerTail) : undefined);
    if (v && !ins.has(v.rxcui)) missing.push(v);
    else if (v) covered.add(v.rxcui);
    else problem = `component "${sub}" is not among the listed ingredients and does not verify`;
  });
  // a PIN tied to one IN elsewhere in the extract (first pass), then: the one IN left over
  for (const p of [...unmatchedPins]) {
    const g = globalPinBase.get(p);
    if (g && ins.has(g)) {
      pinBase.set(p, g);
      covered.add(g);
      unmatchedPins.splice(unmatchedPins.indexOf(p), 1);
    }
  }
  const leftover = [...ins].filter((c) => !covered.has(c));
  if (!problem && unmatchedPins.length === 1 && leftover.length === 1) {
    pinBase.set(unmatchedPins[0]!, leftover[0]!);
    covered.add(leftover[0]!);
  } else if (!problem && unmatchedPins.length)
    problem = `salt component(s) ${unmatchedPins.join(',')} cannot be tied to one listed IN`;
  if (!problem && [...ins].some((c) => !covered.has(c))) problem = `listed ingredient(s) not named in the SCD name`;
  for (const [p, b] of pinBase) {
    const rec = pinRecs.get(p) ?? { pin: p, base: new Set<string>() };
    rec.base.add(b);
    pinRecs.set(p, rec);
  }
  const uniqMissing = [...new Map(missing.map((m) => [m.rxcui, m])).values()];
  return { ins: [...ins], missing: uniqMissing, problem };
}

// first pass: PIN → IN ties found anywhere in the extract (unique ones only)
for (const row of src.scd) analyseScd(row);
globalPinBase = new Map<string, string>();
for (const [p, rec] of pinRecs) if (rec.base.size === 1) globalPinBase.set(p, [...rec.base][0]!);
pinRecs.clear();

// ---- (e, ingredients) the CDS Hooks Sandbox list: the ingredients its prescribables name are registered, so (a) maps
// every extract SCD of them and (e, products) below can map the Sandbox's own codes, brands and letter-A drugs included.
const sandbox = loadSandbox(join(sharedDir, 'kb-sources'));
/** Sandbox substance name (lower case) → the verified IN it names; undefined when it does not verify. */
const sandboxSubstance = new Map<string, Verified | undefined>();
/** Names the 2018 list gives an ingredient that RxNorm 2025 names otherwise (names only; the code is then looked up). */
const SANDBOX_NAME_FIXES: Record<string, string> = { 'alendronic acid': 'alendronate' };
const compact = (n: string) => n.toLowerCase().replace(/[^a-z0-9]/g, '');
const extractByCompactName = new Map<string, string[]>();
for (const r of src.rxnIngredients)
  extractByCompactName.set(compact(r.name), [...(extractByCompactName.get(compact(r.name)) ?? []), r.name]);
/**
 * A Sandbox substance → its verified IN: as any product substance (resolveSubstanceOrThrow), else a 2018 spelling of a
 * current extract name that differs only in spaces and punctuation ("Vitamin B 12" → "vitamin B12"), else a renamed
 * ingredient of SANDBOX_NAME_FIXES. Names the 2014 sources hold under another code do not resolve.
 */
function resolveSandboxSubstance(key: string): Verified | undefined {
  const attempt = (n: string) => {
    try {
      return resolveSubstanceOrThrow(n);
    } catch {
      return undefined;
    }
  };
  const fixed = SANDBOX_NAME_FIXES[key];
  if (fixed) return attempt(fixed);
  const direct = attempt(key);
  if (direct) return direct;
  const same = extractByCompactName.get(compact(key)) ?? [];
  if (same.length === 1) return attempt(same[0]!.toLowerCase());
  // A 2014 source names exactly this substance with a code that RxNorm 2025 holds as an IN under its current name
  // ("coenzyme Q10" → 21406 "ubidecarenone" by NDF-RT and UNII; "St. John's wort extract" → 258326 by UNII, which 2025
  // calls "st. john's wort"): the code is confirmed by two sources, one of them current, so the 2025 IN is recorded.
  const codes = new Set<string>();
  for (const r of src.ndfrt)
    if (!r.name.endsWith('[VA Product]') && ndfrtIngredientName(r.name) === key) codes.add(r.rxcui);
  for (const r of src.unii) if (r.name.toLowerCase() === key) codes.add(r.rxcui);
  const current = [...codes].map((c) => src.rxnByCui.get(c)).filter((r) => r?.tty === 'IN');
  // …or a code already verified by two 2014 sources under the name the substance extends ("ST. JOHN'S WORT EXTRACT" →
  // 258326, which NDF-RT and UNII confirm as "st. john's wort"; St John's wort is not in the 2025 prescribable extract)
  const registered = codes.size === 1 ? ingredients.get([...codes][0]!) : undefined;
  if (current.length === 0 && registered?.tty === 'IN' && key.startsWith(`${registered.name.toLowerCase()} `))
    return registered;
  if (codes.size !== 1 || current.length !== 1) return undefined;
  const renamed = current[0]!;
  const confirmedTwice = confirmations(src, renamed.rxcui, key).filter((e) => e.source !== 'RXN2025').length >= 2;
  return confirmedTwice || key.includes(renamed.name.toLowerCase()) ? attempt(renamed.name.toLowerCase()) : undefined;
}
/** Sandbox substance names (lower case) whose ingredient only a name links to (token NAME-DERIVED). */
const nameDerivedKeys = new Set<string>();
const nameDerivedByCode = new Map<string, Verified>();
/** Lower-case names of the INs of the 2025 extract and of those registered before the name-derived pass. */
let knownInNames: string[] = [];
/**
 * The last resort for a Sandbox substance: exactly one code that NDF-RT 2014 or FDA UNII 2014 (one source, not two)
 * gives this exact name ("garlic preparation" → 265647 by UNII; "amylases" → 743 by NDF-RT). The list's own
 * component names name the substance, but no second source ties that name to the code, so the link is name-derived
 * and says so: a code the 2025 extract holds as an IN under its current name is recorded as that IN ("endopeptidases"
 * → 8031 protease), any other as an IN under the Sandbox's name with its one source and NAME-DERIVED; the products
 * that reach it carry NAME-DERIVED too. A name two 2014 sources give different codes stays unresolved. A herbal
 * "… preparation" / "… extract" no source names is taken as the herb the sources name, by the same rule.
 */
function nameDerivedSubstance(sandboxKey: string): Verified | undefined {
  // a salt or part of a known ingredient ("quinidine bisulfate", "dextromethorphan tannate") must reach that
  // ingredient, whose interactions it shares; by name alone it would be a separate one, silently unscreened
  if (knownInNames.some((n) => sandboxKey.startsWith(`${n} `))) return undefined;
  const codesNamed = (name: string) => {
    const codes = new Set<string>();
    for (const r of src.ndfrt)
      if (!r.name.endsWith('[VA Product]') && ndfrtIngredientName(r.name) === name) codes.add(r.rxcui);
    for (const r of src.unii) if (r.name.toLowerCase() === name) codes.add(r.rxcui);
    return codes;
  };
  // the herb itself when no source names the list's "preparation" or "extract" of it ("Echinacea Preparation" →
  // NDF-RT's "ECHINACEA", "Milk thistle extract" → "milk thistle")
  const plant = sandboxKey.replace(/ (preparation|extract)$/, '');
  const exact = codesNamed(sandboxKey);
  const key = exact.size === 0 && plant !== sandboxKey ? plant : sandboxKey;
  const codes = key === sandboxKey ? exact : codesNamed(key);
  if (codes.size !== 1) return undefined;
  const code = [...codes][0]!;
  const current = src.rxnByCui.get(code);
  const registered = ingredients.get(code);
  let v: Verified | undefined;
  if (current) v = current.tty === 'IN' ? verifyIngredientByName(src, current.name) : undefined;
  else if (registered)
    v = registered.tty === 'IN' ? registered : undefined; // verified under another spelling
  else {
    if (src.rxnByName.has(key)) return undefined; // the 2025 extract has this name under another code
    const ev = confirmations(src, code, key).filter((e) => e.source === 'NDFRT2014' || e.source === 'FDA-UNII2014');
    if (ev.length === 0) return undefined;
    if (ev.length > 1)
      v = verifyIngredientByName(src, key); // the herb itself is confirmed twice ("milk thistle")
    // two spellings of one substance that the source both gives this code: one ingredient, under the first name met
    else
      v = nameDerivedByCode.get(code) ?? {
        rxcui: code,
        name: key,
        tty: 'IN',
        verifiedIn: [ev[0]!.source, 'NAME-DERIVED'],
        evidence: ev,
      };
    if (v) nameDerivedByCode.set(code, v);
  }
  if (v) nameDerivedKeys.add(sandboxKey);
  return v;
}
if (sandbox) {
  for (const comps of sandbox.prescribables.values()) {
    for (const c of comps) {
      for (const s of sandboxSubstances(sandbox.names.get(c) ?? '')) {
        const key = s.toLowerCase();
        if (sandboxSubstance.has(key)) continue;
        const v = resolveSandboxSubstance(key);
        sandboxSubstance.set(key, v && v.tty === 'IN' ? v : undefined);
      }
    }
  }
  for (const v of sandboxSubstance.values()) {
    if (!v) continue;
    register(v);
    registeredSet.add(v.rxcui);
  }
  // then the substances only a name links to a code, once every better-confirmed ingredient is known
  knownInNames = [...src.rxnIngredients, ...ingredients.values()]
    .filter((i) => i.tty === 'IN')
    .map((i) => i.name.toLowerCase());
  for (const [key, known] of sandboxSubstance) {
    if (known) continue;
    const v = nameDerivedSubstance(key);
    if (!v) continue;
    sandboxSubstance.set(key, v);
    register(v);
    // a code known by a name only feeds the Sandbox's own products, not (a) or the NDF-RT VA products of (b)
    if (!v.verifiedIn.includes('NAME-DERIVED')) registeredSet.add(v.rxcui);
  }
}
let scdScanned = 0;
for (const row of src.scd) {
  scdScanned++;
  const { ins, missing, problem } = analyseScd(row);
  const all = [...ins, ...missing.map((m) => m.rxcui)];
  const hasMember = all.some((c) => registeredSet.has(c));
  // a component we could not resolve might itself be registered (e.g. a salt name of one): check by name prefix
  const nameHitsMember = [...registeredSet].some((c) => {
    const n = ingredients.get(c)?.name.toLowerCase();
    return n
      ? row.name
          .toLowerCase()
          .split(' / ')
          .some((comp, i) =>
            componentSubstance(comp, i === 0)
              .toLowerCase()
              .startsWith(n),
          )
      : false;
  });
  if (!hasMember && !nameHitsMember) continue;
  if (problem) {
    leftOut.push({ rxcui: row.rxcui, name: row.name, reason: problem });
    continue;
  }
  for (const m of missing) register(m);
  products.set(row.rxcui, {
    rxcui: row.rxcui,
    name: row.name,
    tty: 'SCD',
    ingredients: all.sort((x, y) => Number(x) - Number(y)),
    verifiedIn: ['RXN2025'],
    evidence: [],
  });
  productLines.scd.add(row.line);
}

// ---- every RxNorm code of the shared FHIR and CDS Hooks fixtures
function walkFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walkFiles(p) : /\.(json|ndjson)$/.test(p) ? [p] : [];
    });
}
interface FixtureCode {
  displays: string[];
  /** displays written by Synthea (its bundles and bulk NDJSON), with the file they were seen in */
  synthea: { display: string; file: string }[];
  files: Set<string>;
}
const fixtureMeds = new Map<string, FixtureCode>();
function collectRx(o: unknown, file: string) {
  if (Array.isArray(o)) o.forEach((x) => collectRx(x, file));
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (
      typeof r.system === 'string' &&
      /rxnorm/i.test(r.system) &&
      (typeof r.code === 'string' || typeof r.code === 'number')
    ) {
      const code = String(r.code);
      const f = fixtureMeds.get(code) ?? { displays: [], synthea: [], files: new Set<string>() };
      const display = typeof r.display === 'string' ? r.display : '';
      if (display && !f.displays.includes(display)) f.displays.push(display);
      if (display && file.startsWith('fhir-samples/synthea/') && !f.synthea.some((x) => x.display === display))
        f.synthea.push({ display, file });
      f.files.add(file);
      fixtureMeds.set(code, f);
    }
    Object.values(r).forEach((v) => collectRx(v, file));
  }
}
const fixtureRoots = [join(sharedDir, 'fhir-samples'), join(sharedDir, 'cds-hooks-examples')];
for (const root of fixtureRoots)
  for (const path of walkFiles(root)) {
    const rel = relative(sharedDir, path);
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.ndjson'))
      for (const line of text.split('\n')) {
        if (line.trim()) collectRx(JSON.parse(line), rel);
      }
    else collectRx(JSON.parse(text), rel);
  }

const FRENCH: [RegExp, string][] = [
  [/ Comprimés? oraux$| Comprimé oral$/, ' Oral Tablet'],
  [/ Comprimé à croquer$/, ' Chewable Tablet'],
  [/ Seringue préremplie$/, ' Prefilled Syringe'],
  [/ Solution injectable$/, ' Injectable Solution'],
];
const englishName = (d: string) => {
  const clean = correctSyntheaSpelling(d)
    .replace(/ -- .*$| - (OTC|otc).*$/, '')
    .trim();
  const brand = clean.match(/\s*\[[^\]]+\]$/)?.[0] ?? '';
  return FRENCH.reduce((s, [re, en]) => s.replace(re, en), clean.slice(0, clean.length - brand.length)) + brand;
};

/** A product known only from a Synthea list or NDF-RT VA product names: parse the display strictly. */
function fromDisplay(code: string, display: string): { tty: string; ingredients: string[] } | { problem: string } {
  const name = englishName(display);
  const brand = /\[[^\]]+\]$/.test(name);
  const body = name.replace(/\s*\[[^\]]+\]$/, '');
  const tty = brand
    ? /\d\s(MG|MCG|UNT|MEQ)(\/\w+)?$/.test(body)
      ? 'SBDC'
      : 'SBD'
    : /\d\s(MG|MCG|UNT|MEQ)(\/\w+)?$/.test(body)
      ? 'SCDC'
      : 'SCD';
  const comps = body.split(' / ');
  const ins: string[] = [];
  for (const [i, comp] of comps.entries()) {
    if (!/\s\d[\d.]*\s(MG|MCG|UNT|MEQ)\b/.test(comp))
      return { problem: `component "${comp}" of ${code} has no strength` };
    const sub = componentSubstance(comp, i === 0).toLowerCase();
    const v = resolveSubstance(sub);
    if (!v) return { problem: `component "${sub}" of ${code} does not resolve` };
    ins.push(v.rxcui);
  }
  return { tty, ingredients: [...new Set(ins)].sort((x, y) => Number(x) - Number(y)) };
}
/**
 * A substance name as a product or label writes it → the verified IN: an "A…" salt or exact name (resolveMissing),
 * a B–Z IN by exact name, or a B–Z PIN through the one IN whose name starts it.
 */
const resolvedSubstances = new Map<string, Verified>();
function resolveSubstance(substance: string): Verified | undefined {
  try {
    const v = resolveSubstanceOrThrow(substance);
    if (v) resolvedSubstances.set(v.rxcui, v);
    return v;
  } catch {
    return undefined; // the 2014 sources hold this name under another code: not a safe match
  }
}
function resolveSubstanceOrThrow(substance: string): Verified | undefined {
  const sub = substance.toLowerCase();
  const exact = (src.rxnByName.get(sub) ?? []).find((r) => r.tty === 'IN');
  if (exact) return verifyIngredientByName(src, exact.name);
  const v = resolveMissing(sub);
  if (v) return v;
  const pin = (src.rxnByName.get(sub) ?? []).find((r) => r.tty === 'PIN');
  const tied = pin && globalPinBase.get(pin.rxcui);
  if (tied) return verifyIngredientByName(src, src.rxnByCui.get(tied)!.name);
  const base = pin && src.rxnIngredients.filter((r) => r.tty === 'IN' && sub.startsWith(r.name.toLowerCase() + ' '));
  if (pin && base && base.length === 1) return verifyIngredientByName(src, base[0]!.name);
  return undefined;
}

/** Synthea module / cost list displays by code (token SYNTHEA). */
const syntheaCodes = new Map<string, { display: string; line: string; file: 'syntheaRx' | 'syntheaCosts' }>();
for (const [i, r] of src.syntheaRx.rows.entries())
  syntheaCodes.set(r.rxcui!, {
    display: (r['synthea_display(s)'] ?? '').split(' | ')[0]!,
    line: src.syntheaRx.lines[i + 1]!,
    file: 'syntheaRx',
  });
for (const [i, r] of src.syntheaCosts.rows.entries())
  if (!syntheaCodes.has(r.CODE!))
    syntheaCodes.set(r.CODE!, { display: r.COMMENTS!, line: src.syntheaCosts.lines[i + 1]!, file: 'syntheaCosts' });

/** The verified INs of a label record's substances (undefined if one does not resolve). */
function labelIngredients(rec: LabelRecord): string[] | undefined {
  const out: string[] = [];
  for (const s of rec.substances) {
    const v = resolveSubstance(s);
    if (!v || v.tty !== 'IN') return undefined;
    out.push(v.rxcui);
  }
  return [...new Set(out)].sort((x, y) => Number(x) - Number(y));
}
const labelsUsed = new Set<LabelRecord>();
const syntheaFhirLines = new Map<string, string>();

/** TTY of a product known from its display: packs, branded drugs and devices, components, clinical drugs. */
function ttyOf(display: string, ingredientNames: string[]): string {
  const d = englishName(display);
  if (/^\{.*\}\s*Pack\b/.test(d)) return /\[[^\]]+\]$/.test(d) ? 'BPCK' : 'GPCK';
  if (/\b\d+ Day Pack$/.test(d)) return 'BPCK';
  // no bracketed brand and no ingredient named: a brand ("Lasix 40mg", "Mirena 52 MG Intrauterine System"), unless the
  // display is a whole clinical drug name under another name of the ingredient ("Alendronic acid 10 MG Oral Tablet")
  const namesNoIngredient = !ingredientNames.some((n) => d.toLowerCase().includes(n.toLowerCase()));
  const otherName =
    parseClinicalDrugName(d)?.doseForm !== undefined && !FDA_LABEL_RECORDS.some((r) => namesBrand(d, r.brand));
  const branded = /\[[^\]]+\]$/.test(d) || (namesNoIngredient && !otherName);
  const hasForm =
    parseClinicalDrugName(d)?.doseForm !== undefined ||
    /\b(Tablet|Capsule|Solution|Suspension|Injection|Inhaler|Syringe|Cream|Ointment|Spray|Patch|System|Implant|Ring|Gel|Lotion|Powder|Drops?|Elixir|Syrup)\b/i.test(
      d,
    );
  if (branded) return hasForm || !/\d\s(MG|MCG|UNT|MEQ)/.test(d) ? 'SBD' : 'SBDC';
  return hasForm ? 'SCD' : 'SCDC';
}

const scdByLowerName = new Map(src.scd.map((r) => [r.name.toLowerCase(), r]));
const scdcRows = new Map<string, ScdRow[]>();
for (const r of src.scd)
  for (const c of r.scdcNames) scdcRows.set(c.toLowerCase(), [...(scdcRows.get(c.toLowerCase()) ?? []), r]);
const scdNameLines = new Set<string>();
const fixtureReport: string[] = [];
const fixtureLeftOut: { rxcui: string; name: string; reason: string }[] = [];
/** Fixture ingredient codes (IN, PIN, MIN of the extract) that must resolve as ingredients. */
const fixtureIngredientPins: { rxcui: string; base: string }[] = [];
for (const [code, fx] of [...fixtureMeds].sort((a, b) => Number(a[0]) - Number(b[0]))) {
  const display = fx.synthea[0]?.display ?? fx.displays[0] ?? '';
  if (products.has(code) || ingredients.has(code)) {
    fixtureReport.push(`${code} already mapped`);
    continue;
  }
  // an ingredient concept of the extract
  const rx = src.rxnByCui.get(code);
  if (rx) {
    if (rx.tty === 'IN') register(verifyIngredientByName(src, rx.name)!);
    else if (rx.tty === 'MIN') {
      const parts = rx.name.split(' / ').map((n) => verifyIngredientByName(src, n));
      if (parts.some((v) => !v || v.tty !== 'IN')) {
        fixtureLeftOut.push({ rxcui: code, name: rx.name, reason: 'fixture MIN: a component is not a verified IN' });
        continue;
      }
      for (const v of parts) register(v!);
      ingredients.set(code, { ...verifyCode(src, code, rx.name)!, baseIngredients: parts.map((v) => v!.rxcui) });
    } else {
      const prefix = src.rxnIngredients.filter(
        (r) => r.tty === 'IN' && rx.name.toLowerCase().startsWith(r.name.toLowerCase() + ' '),
      );
      const base = globalPinBase.get(code) ?? (prefix.length === 1 ? prefix[0]!.rxcui : undefined);
      if (!base) {
        fixtureLeftOut.push({ rxcui: code, name: rx.name, reason: 'fixture PIN: no unique base IN' });
        continue;
      }
      fixtureIngredientPins.push({ rxcui: code, base });
    }
    fixtureReport.push(`${code} ingredient ${rx.tty} ${rx.name}`);
    continue;
  }
  // an SCD of the extract
  const row = src.scdByCui.get(code);
  if (row) {
    const { ins, missing, problem } = analyseScd(row);
    if (problem) {
      fixtureLeftOut.push({ rxcui: code, name: row.name, reason: `fixture medication: ${problem}` });
      continue;
    }
    for (const m of missing) register(m);
    products.set(code, {
      rxcui: code,
      name: row.name,
      tty: 'SCD',
      ingredients: [...ins, ...missing.map((m) => m.rxcui)].sort((x, y) => Number(x) - Number(y)),
      verifiedIn: ['RXN2025'],
      evidence: [],
    });
    productLines.scd.add(row.line);
    fixtureReport.push(`${code} SCD of the extract`);
    continue;
  }
  // otherwise: at least two independent sources must give the same ingredient set
  const claims: { token: string; ingredients: string[]; how: string }[] = [];
  const recs = FDA_LABEL_RECORDS.filter(
    (r) =>
      r.rxcuis.includes(code) ||
      [...fx.displays, syntheaCodes.get(code)?.display ?? ''].some((d) => d && namesBrand(d, r.brand)),
  );
  const labelSets = recs.map((r) => ({ r, ins: labelIngredients(r) })).filter((x) => x.ins !== undefined);
  for (const { r, ins } of labelSets)
    claims.push({ token: 'FDA-LABEL', ingredients: ins!, how: `label ${r.brand} ${r.setId || r.url}` });
  // a Synthea display names the ingredients, or the brand of a label record (which then gives them)
  const syntheaClaim = (token: string, d: string) => {
    const parsed = fromDisplay(code, d);
    if (!('problem' in parsed)) claims.push({ token, ingredients: parsed.ingredients, how: `display "${d}"` });
    else
      for (const { r, ins } of labelSets)
        if (namesBrand(d, r.brand)) claims.push({ token, ingredients: ins!, how: `display "${d}" names ${r.brand}` });
  };
  const list = syntheaCodes.get(code);
  if (list) syntheaClaim('SYNTHEA', list.display);
  for (const s of fx.synthea) syntheaClaim('SYNTHEA-FHIR', s.display);
  const va = src.ndfrt.filter((r) => r.rxcui === code && isVaProduct(r.name));
  if (va.length) {
    const first = vaName(va[0]!.name).toLowerCase();
    for (const d of [
      ...fx.synthea.map((x) => x.display),
      ...(syntheaCodes.has(code) ? [syntheaCodes.get(code)!.display] : []),
    ])
      fromDisplay(code, d); // registers the substances it names
    const cands = [
      ...ingredients.values(),
      ...resolvedSubstances.values(),
      ...src.rxnIngredients.map((r) => ({ name: r.name, rxcui: r.rxcui, tty: r.tty })),
    ]
      .filter((i) => i.tty === 'IN' && first.startsWith(i.name.toLowerCase() + ' '))
      .sort((x, y) => y.name.length - x.name.length);
    const ing = cands[0];
    if (ing && va.every((r) => vaSingleIngredient(r.name, ing.name))) {
      const v = verifyIngredientByName(src, ing.name);
      if (v)
        claims.push({
          token: 'NDFRT2014-VA',
          ingredients: [v.rxcui],
          how: `${va.length} VA product name(s) "${vaName(va[0]!.name)}"`,
        });
    }
  }
  const nameConflicts: string[] = [];
  // RXN2025-NAME: a display (without a bracketed brand) is the name of an SCD, or of an SCDC of an SCD row, of the extract
  for (const d of new Set([...fx.synthea.map((x) => x.display), ...(list ? [list.display] : [])].map(englishName))) {
    const plainText = d.replace(/\s*\[[^\]]+\]$/, '');
    const plain = plainText.toLowerCase();
    const scdRow = scdByLowerName.get(plain);
    const branded = plainText !== d;
    if (scdRow && !branded && scdRow.rxcui !== code) {
      // an unbranded display that is the name of ANOTHER current SCD: the display does not describe this code
      nameConflicts.push(`"${d}" is the name of SCD ${scdRow.rxcui}, not ${code}`);
      continue;
    }
    if (scdRow) {
      const a = analyseScd(scdRow);
      if (!a.problem) {
        claims.push({
          token: 'RXN2025-NAME',
          ingredients: [...a.ins, ...a.missing.map((m) => m.rxcui)].sort((x, y) => Number(x) - Number(y)),
          how: `"${d}" is SCD ${scdRow.rxcui} of the 2025 extract`,
        });
        scdNameLines.add(scdRow.line);
      }
      continue;
    }
    const rows = scdcRows.get(plain) ?? [];
    const v = rows.length ? resolveSubstance(componentSubstance(plainText, true)) : undefined;
    const row = rows.find(
      (r) =>
        v && (r.ingredientRxcuis.includes(v.rxcui) || r.ingredientRxcuis.some((c) => globalPinBase.get(c) === v.rxcui)),
    );
    if (v && row) {
      claims.push({
        token: 'RXN2025-NAME',
        ingredients: [v.rxcui],
        how: `"${d}" is an SCDC of SCD ${row.rxcui} of the 2025 extract`,
      });
      scdNameLines.add(row.line);
    }
  }
  const sets = new Map<string, string[]>();
  for (const c of claims) sets.set(c.ingredients.join(','), c.ingredients);
  // NDF-RT VA rows mapped to this code that name none of the claimed ingredients contradict the claims
  const claimedNames = [...new Set(claims.flatMap((c) => c.ingredients))].map(
    (c) => (ingredients.get(c) ?? resolvedSubstances.get(c) ?? src.rxnByCui.get(c))?.name.toUpperCase() ?? '?',
  );
  // (a VA name that is the brand of a label record behind the claims, "LEVORA TAB,28", agrees with them)
  const vaAgainst = va.filter(
    (r) =>
      !claimedNames.some((n) =>
        vaName(r.name)
          .toUpperCase()
          .startsWith(n + ' '),
      ) && !labelSets.some(({ r: l }) => namesBrand(vaName(r.name), l.brand)),
  );
  if (claims.length && vaAgainst.length) nameConflicts.push(`NDF-RT VA names it "${vaName(vaAgainst[0]!.name)}"`);
  if (nameConflicts.length) {
    fixtureLeftOut.push({ rxcui: code, name: display, reason: `sources disagree: ${nameConflicts.join('; ')}` });
    continue;
  }
  const family = (t: string) => (t.startsWith('SYNTHEA') ? 'SYNTHEA' : t);
  if (sets.size > 1) {
    fixtureLeftOut.push({
      rxcui: code,
      name: display,
      reason: `sources disagree: ${claims.map((c) => `${c.token} ${c.how} → ${c.ingredients.map((i) => ingredients.get(i)?.name ?? src.rxnByCui.get(i)?.name ?? i).join('+')}`).join('; ')}`,
    });
    continue;
  }
  const families = new Set(claims.map((c) => family(c.token)));
  // A plain clinical drug that no source contradicts needs one named source, like the products of (b): a product of
  // "A…" ingredients (which the B–Z extract cannot hold), or any whose display is a whole RxNorm-style clinical drug name
  // (ingredients, strengths, dose form, no brand), which alone says what it holds. Brands, packs, components need two.
  const only = [...sets.values()][0];
  const plainScd =
    only !== undefined &&
    ttyOf(
      display,
      only.map((c) => ingredients.get(c)?.name ?? resolvedSubstances.get(c)?.name ?? ''),
    ) === 'SCD' &&
    (only.every((c) => !src.rxnByCui.has(c)) || parseClinicalDrugName(englishName(display))?.doseForm !== undefined);
  if (families.size < (plainScd ? 1 : 2)) {
    const why = claims.length
      ? `only one source (${claims.map((c) => `${c.token}: ${c.how}`).join('; ')})`
      : 'no source names its ingredients';
    fixtureLeftOut.push({ rxcui: code, name: display, reason: `not in the RxNorm 2025 extract; ${why}` });
    continue;
  }
  const ins = [...sets.values()][0]!;
  for (const c of ins) {
    const r = src.rxnByCui.get(c);
    const v = r ? verifyIngredientByName(src, r.name)! : (ingredients.get(c) ?? resolvedSubstances.get(c));
    if (!v) throw new Error(`${code}: ingredient ${c} not registered`);
    register(v);
  }
  const tokens = [...new Set(claims.map((c) => c.token))].sort();
  const name = englishName(fx.synthea[0]?.display ?? (list ? list.display : display));
  products.set(code, {
    rxcui: code,
    name,
    tty: ttyOf(
      name,
      ins.map((c) => ingredients.get(c)!.name),
    ),
    ingredients: ins,
    verifiedIn: tokens,
    evidence: [],
  });
  if (tokens.includes('NDFRT2014-VA')) va.forEach((r) => productLines.ndfrt.add(r.line));
  if (tokens.includes('SYNTHEA')) productLines[list!.file].add(list!.line);
  if (tokens.includes('SYNTHEA-FHIR'))
    for (const s of fx.synthea)
      syntheaFhirLines.set(`${code}|${s.display}`, [code, s.display, s.file].map(csvCell).join(','));
  for (const { r } of labelSets) if (tokens.includes('FDA-LABEL')) labelsUsed.add(r);
  fixtureReport.push(`${code} ${tokens.join('+')}: ${claims.map((c) => c.how).join('; ')}`);
}
leftOut.push(...fixtureLeftOut);

// ---- Synthea module / cost lists: products not in the extract that hold a registered ingredient
const syntheaReport: string[] = [];
for (const [code, s] of syntheaCodes) {
  if (src.scdByCui.has(code) || products.has(code) || fixtureLeftOut.some((l) => l.rxcui === code)) continue;
  const parsed = fromDisplay(code, s.display);
  if ('problem' in parsed) {
    syntheaReport.push(`skip ${code} "${s.display}": ${parsed.problem}`);
    continue;
  }
  if (!parsed.ingredients.some((c) => registeredSet.has(c))) continue;
  const anyBZ = parsed.ingredients.some((c) => src.rxnByCui.has(c));
  if (parsed.tty === 'SCD' && anyBZ) {
    syntheaReport.push(
      `skip ${code} "${s.display}": an SCD with a B–Z ingredient absent from the 2025 extract (retired or not prescribable)`,
    );
    leftOut.push({
      rxcui: code,
      name: s.display,
      reason: 'Synthea code: SCD with a B–Z ingredient absent from the RxNorm 2025 prescribable extract',
    });
    continue;
  }
  for (const c of parsed.ingredients) {
    const rx = src.rxnByCui.get(c);
    register(
      rx
        ? verifyIngredientByName(src, rx.name)!
        : ([...ingredients.values()].find((i) => i.rxcui === c) ??
            (() => {
              throw new Error(c);
            })()),
    );
  }
  products.set(code, {
    rxcui: code,
    name: englishName(s.display),
    tty: parsed.tty,
    ingredients: parsed.ingredients,
    verifiedIn: ['SYNTHEA'],
    evidence: [],
  });
  productLines[s.file].add(s.line);
  syntheaReport.push(`add ${code} ${parsed.tty} "${englishName(s.display)}"`);
}

// ---- NDF-RT 2014 VA products of registered ingredients absent from the 2025 extract ("A…" and retired ones)
const vaReport: string[] = [];
const vaByCode = new Map<string, typeof src.ndfrt>();
for (const r of src.ndfrt) if (isVaProduct(r.name)) vaByCode.set(r.rxcui, [...(vaByCode.get(r.rxcui) ?? []), r]);
for (const c of [...registeredSet].sort((x, y) => Number(x) - Number(y))) {
  if (src.rxnByCui.has(c)) continue;
  const ing = ingredients.get(c)!;
  for (const [code, rows] of vaByCode) {
    if (
      !vaName(rows[0]!.name)
        .toUpperCase()
        .startsWith(ing.name.toUpperCase() + ' ')
    )
      continue;
    if (
      products.has(code) ||
      ingredients.has(code) ||
      src.rxnByCui.has(code) ||
      src.scdByCui.has(code) ||
      leftOut.some((l) => l.rxcui === code)
    )
      continue;
    if (!rows.every((r) => vaSingleIngredient(r.name, ing.name))) {
      vaReport.push(
        `skip ${code} "${vaName(rows[0]!.name)}": not every VA name is a single-ingredient ${ing.name} product`,
      );
      continue;
    }
    const name = rows.map((r) => vaName(r.name)).sort()[0]!;
    products.set(code, { rxcui: code, name, tty: 'SCD', ingredients: [c], verifiedIn: ['NDFRT2014-VA'], evidence: [] });
    rows.forEach((r) => productLines.ndfrt.add(r.line));
  }
}

// ---- (e, products) every prescribable of the CDS Hooks Sandbox list, brands included, and its dose-form groups.
// A code's ingredients are the verified INs its components (SCDC/SBDC: "apixaban 5 MG [Eliquis]") name: a name-derived
// mapping (token SANDBOX2018; NAME-DERIVED too when one of the substances reaches its code by name alone, see
// nameDerivedSubstance). A branded drug whose name without the brand is a current SCD also carries RXN2025-NAME
// when that SCD has the same ingredients; an unbranded code whose name is a *different* current SCD is a contradiction.
const sandboxRows = new Map<string, string>();
const sandboxReport: string[] = [];
const sandboxLeftOut: { rxcui: string; name: string; reason: string }[] = [];
const sandboxCount = { confirmed: 0, added: 0, groups: 0, disagree: 0 };
function sandboxIngredients(comps: readonly string[]): string[] | { problem: string } {
  const ins = new Set<string>();
  for (const c of comps) {
    for (const s of sandboxSubstances(sandbox!.names.get(c) ?? '')) {
      const v = sandboxSubstance.get(s.toLowerCase());
      if (!v) return { problem: `component substance "${s}" is not a verified ingredient` };
      ins.add(v.rxcui);
    }
  }
  return [...ins].sort((x, y) => Number(x) - Number(y));
}
/** Whether a component set names a substance whose ingredient only a name links to (NAME-DERIVED). */
const namesByNameOnly = (comps: readonly string[]) =>
  comps.some((c) => sandboxSubstances(sandbox!.names.get(c) ?? '').some((s) => nameDerivedKeys.has(s.toLowerCase())));
const sameSet = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((c) => y.includes(c));
/** The ingredients the list's names give an extract SCD hold every IN (and PIN base) of its row, and beyond them only codes the extract lacks. */
function rowAgrees(row: ScdRow, derived: readonly string[]): boolean {
  const listed = row.ingredientRxcuis.map((c, i) => (row.ingredientTtys[i] === 'PIN' ? globalPinBase.get(c) : c));
  if (listed.some((c) => c === undefined || !derived.includes(c))) return false;
  return (
    derived.every((c) => listed.includes(c) || !src.rxnByCui.has(c)) && derived.length <= row.name.split(' / ').length
  );
}
const sandboxRow = (code: string, name: string, comps: readonly string[]) =>
  sandboxRows.set(
    code,
    [code, name, [...new Set(comps.map((c) => sandbox!.names.get(c) ?? ''))].join(' | ')].map(csvCell).join(','),
  );
if (sandbox) {
  // clinical drugs first, so that a brand can reach the ingredients of the clinical drug its name is a brand of
  const isBrand = (code: string) => /\[[^\]]+\]$/.test(sandbox.names.get(code) ?? '');
  const order = [...sandbox.prescribables].sort(
    (a, b) => Number(isBrand(a[0])) - Number(isBrand(b[0])) || Number(a[0]) - Number(b[0]),
  );
  const listedScd = new Map(
    [...sandbox.prescribables.keys()].filter((c) => !isBrand(c)).map((c) => [sandbox.names.get(c)!.toLowerCase(), c]),
  );
  for (const [code, comps] of order) {
    const name = sandbox.names.get(code)!;
    const own = sandboxIngredients(comps);
    // a brand whose name without the brand is a clinical drug of the list already mapped: the same ingredients
    const generic = isBrand(code) ? listedScd.get(name.replace(/\s*\[[^\]]+\]$/, '').toLowerCase()) : undefined;
    const genericIns = generic !== undefined ? products.get(generic)?.ingredients : undefined;
    const derived = genericIns ?? own;
    const byNameOnly =
      genericIns !== undefined ? products.get(generic!)!.verifiedIn.includes('NAME-DERIVED') : namesByNameOnly(comps);
    const existing = products.get(code);
    if (existing) {
      if (!Array.isArray(derived))
        sandboxReport.push(`${code} "${name}": mapped by another source; ${derived.problem}`);
      else if (sameSet(existing.ingredients, derived) && existing.name.toLowerCase() === name.toLowerCase()) {
        if (!existing.verifiedIn.includes('SANDBOX2018')) existing.verifiedIn.push('SANDBOX2018');
        sandboxRow(code, existing.name, comps);
        sandboxCount.confirmed++;
      } else {
        sandboxCount.disagree++;
        sandboxReport.push(
          `${code}: recorded as "${existing.name}", the Sandbox names it "${name}" (${sameSet(existing.ingredients, derived) ? 'same' : 'other'} ingredients): not confirmed`,
        );
      }
      continue;
    }
    if (ingredients.has(code)) continue;
    if (!Array.isArray(derived)) {
      sandboxLeftOut.push({ rxcui: code, name, reason: `Sandbox: ${derived.problem}` });
      continue;
    }
    // an SCD of the 2025 extract that (a) left out because an "A…" component did not verify ("amylase 120000 UNT /
    // lipase 24000 UNT / protease 76000 UNT …", "Amylases … / Endopeptidases … / Lipase …" in the list): mapped by the
    // list's names when they reach every IN (and PIN base) its 2025 row lists and otherwise only ingredients the B–Z
    // extract cannot list
    const row = src.scdByCui.get(code);
    if (row && !rowAgrees(row, derived)) {
      sandboxLeftOut.push({
        rxcui: code,
        name,
        reason: 'Sandbox: an SCD of the 2025 extract that (a) left out (see above)',
      });
      continue;
    }
    const branded = /\[[^\]]+\]$/.test(name);
    const current = row ? undefined : scdByLowerName.get(name.replace(/\s*\[[^\]]+\]$/, '').toLowerCase());
    const tokens = ['SANDBOX2018'];
    // NDF-RT VA names of a combination that name exactly these ingredients are a second source (833036: hydrocodone / acetaminophen)
    const va = (vaByCode.get(code) ?? []).filter((r) => isVaProduct(r.name));
    if (
      derived.length > 1 &&
      va.length > 0 &&
      va.every((r) =>
        vaNamesIngredients(
          r.name,
          derived.map((c) => ingredients.get(c)!.name),
        ),
      )
    ) {
      tokens.push('NDFRT2014-VA');
      va.forEach((r) => productLines.ndfrt.add(r.line));
    }
    if (current) {
      const currentProduct = products.get(current.rxcui);
      if (!branded || !currentProduct || !sameSet(currentProduct.ingredients, derived)) {
        sandboxLeftOut.push({
          rxcui: code,
          name,
          reason: `Sandbox: its name is that of current SCD ${current.rxcui}${branded ? ' with other ingredients' : ', a different code'}`,
        });
        continue;
      }
      // a second source only when that SCD is mapped from its own 2025 row (not itself from the list's names)
      if (currentProduct.verifiedIn.includes('RXN2025')) {
        tokens.push('RXN2025-NAME');
        scdNameLines.add(current.line);
      }
    }
    if (byNameOnly) tokens.push('NAME-DERIVED');
    products.set(code, {
      rxcui: code,
      name,
      tty: branded ? 'SBD' : 'SCD',
      ingredients: derived,
      verifiedIn: tokens,
      evidence: [],
    });
    sandboxRow(code, name, comps);
    sandboxCount.added++;
  }
  // dose-form groups ("Eliquis Pill"): mapped when every component set they cover names the same ingredients
  for (const [code, sets] of [...sandbox.groups].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const name = sandbox.names.get(code) ?? '';
    if (products.has(code) || ingredients.has(code) || name === '') continue;
    const each = sets.map(sandboxIngredients);
    const first = each[0];
    if (!Array.isArray(first) || each.some((x) => !Array.isArray(x) || !sameSet(x, first))) {
      sandboxLeftOut.push({
        rxcui: code,
        name,
        reason: 'Sandbox group: its component sets do not all name the same verified ingredients',
      });
      continue;
    }
    // "apixaban Pill" names its ingredients (SCDG); "Eliquis Pill" names a brand (SBDG)
    const generic =
      name
        .replace(/ Pill$/, '')
        .toLowerCase()
        .split(' / ')
        .sort()
        .join(' / ') ===
      first
        .map((c) => ingredients.get(c)!.name.toLowerCase())
        .sort()
        .join(' / ');
    products.set(code, {
      rxcui: code,
      name,
      tty: generic ? 'SCDG' : 'SBDG',
      ingredients: first,
      verifiedIn: sets.some(namesByNameOnly) ? ['SANDBOX2018', 'NAME-DERIVED'] : ['SANDBOX2018'],
      evidence: [],
    });
    sandboxRow(code, name, sets.flat());
    sandboxCount.groups++;
  }
}
leftOut.push(...sandboxLeftOut);

// ---- PINs seen in included SCD rows
const pinIngredients: IngRec[] = [];
const pinProblems: string[] = [];
for (const [p, rec] of pinRecs) {
  const inIncluded = src.scd.some((r) => products.has(r.rxcui) && r.ingredientRxcuis.includes(p));
  if (!inIncluded) continue;
  const rx = src.rxnByCui.get(p)!;
  if (rec.base.size !== 1) {
    pinProblems.push(`${p} ${rx.name}: base IN ambiguous (${[...rec.base].join(',') || 'none'}) — not recorded`);
    continue;
  }
  const base = [...rec.base][0]!;
  register(verifyIngredientByName(src, src.rxnByCui.get(base)!.name)!);
  const v = verifyCode(src, p, rx.name)!;
  pinIngredients.push({ ...v, baseIngredients: [base] });
}
for (const { rxcui, base } of fixtureIngredientPins) {
  if (pinIngredients.some((p) => p.rxcui === rxcui)) continue;
  register(verifyIngredientByName(src, src.rxnByCui.get(base)!.name)!);
  pinIngredients.push({ ...verifyCode(src, rxcui, src.rxnByCui.get(rxcui)!.name)!, baseIngredients: [base] });
}
for (const p of pinIngredients) ingredients.set(p.rxcui, p);

// ---- MINs: multiple-ingredient concepts (e.g. "lopinavir / ritonavir") holding an interaction or class
// member, recorded when every component resolves by exact name to a verified IN.
const minProblems: string[] = [];
let minCount = 0;
for (const r of src.rxnIngredients.filter((x) => x.tty === 'MIN')) {
  const parts = r.name.split(' / ').map((n) => n.trim());
  const resolved = parts.map((n) => {
    const v = verifyIngredientByName(src, n);
    return v && v.tty === 'IN' ? v : undefined;
  });
  if (!resolved.some((v) => v && registeredSet.has(v.rxcui))) continue;
  if (resolved.some((v) => v === undefined)) {
    minProblems.push(`${r.rxcui} ${r.name}: a component is not a verified IN — left out`);
    continue;
  }
  for (const v of resolved) register(v!);
  const v = verifyCode(src, r.rxcui, r.name);
  if (!v) throw new Error(`MIN ${r.rxcui} ${r.name} does not verify`);
  ingredients.set(r.rxcui, { ...v, baseIngredients: resolved.map((x) => x!.rxcui) });
  minCount++;
}
// every product ingredient must be registered
for (const pr of products.values())
  for (const c of pr.ingredients)
    if (!ingredients.has(c)) {
      const rx = src.rxnByCui.get(c);
      if (!rx) throw new Error(`product ${pr.rxcui}: ingredient ${c} unverified`);
      register(verifyIngredientByName(src, rx.name)!);
    }

// a name-derived ingredient no recorded product reaches (its products left out for another substance) is not kept
const usedIngredients = new Set([...products.values()].flatMap((p) => p.ingredients));
for (const [c, i] of ingredients)
  if (i.verifiedIn.includes('NAME-DERIVED') && !usedIngredients.has(c)) ingredients.delete(c);

// ---------------------------------------------------------------- write
const sortNum = <T extends { rxcui: string }>(xs: T[]) => xs.sort((x, y) => Number(x.rxcui) - Number(y.rxcui));
const ingList = sortNum([...ingredients.values()]).map((i) => ({
  rxcui: i.rxcui,
  name: i.name,
  tty: i.tty,
  baseIngredients: i.baseIngredients,
  verifiedIn: i.verifiedIn,
}));
/**
 * Dose form and strengths from an RxNorm-style product name, each strength tied to the product ingredient its
 * substance names (the IN itself, "IN + salt", or a PIN of the SCD row whose base is the IN). Written only when
 * every strength ties to exactly one ingredient (otherwise nothing is written for the product).
 */
function strengthsOf(p: ProductRec): {
  doseForm?: string;
  strengths?: {
    ingredient: string;
    substance: string;
    value: number;
    unit: string;
    per?: { value: number; unit: string };
  }[];
} {
  if (p.verifiedIn.every((t) => t === 'NDFRT2014-VA')) return {}; // VA product names are not RxNorm names
  const parsed = parseClinicalDrugName(p.name);
  if (!parsed) return {};
  const row = src.scdByCui.get(p.rxcui);
  const strengths = [];
  for (const st of parsed.strengths) {
    const sub = st.substance.toLowerCase();
    const byName = p.ingredients.filter((c) => {
      const n = ingredients.get(c)!.name.toLowerCase();
      return sub === n || sub.startsWith(n + ' ');
    });
    const byPin = (row?.ingredientRxcuis ?? [])
      .filter((c) => src.rxnByCui.get(c)?.name.toLowerCase() === sub)
      .map((c) => ingredients.get(c)?.baseIngredients[0])
      .filter((c): c is string => c !== undefined && p.ingredients.includes(c));
    const hits = [...new Set([...byName, ...byPin])];
    // the longest matching IN name wins ("insulin isophane" within "insulin isophane, human"); a tie is ambiguous
    const best = hits.sort((x, y) => ingredients.get(y)!.name.length - ingredients.get(x)!.name.length);
    if (
      best.length === 0 ||
      (best.length > 1 && ingredients.get(best[0]!)!.name.length === ingredients.get(best[1]!)!.name.length)
    )
      return {};
    strengths.push({
      ingredient: best[0]!,
      substance: st.substance,
      value: st.value,
      unit: st.unit,
      ...(st.per ? { per: st.per } : {}),
    });
  }
  if (new Set(strengths.map((x) => x.ingredient)).size !== p.ingredients.length) return {}; // every ingredient has a strength
  return { ...(parsed.doseForm ? { doseForm: parsed.doseForm } : {}), strengths };
}
const prodList = sortNum([...products.values()]).map((p) => ({
  rxcui: p.rxcui,
  name: p.name,
  tty: p.tty,
  ingredients: p.ingredients,
  ...strengthsOf(p),
  verifiedIn: p.verifiedIn,
}));

/** Writes wait until everything has been computed and checked, so a failing run leaves every file as it was. */
const pendingWrites: { path: string; text: string }[] = [];
function writeJson(path: string, data: unknown) {
  if (WRITE) pendingWrites.push({ path, text: JSON.stringify(data, null, 2) + '\n' });
}
/** A long list one entry per line (products.json: ~18,000 entries stay reviewable line by line and load quickly). */
function writeJsonLines(path: string, header: Record<string, unknown>, key: string, entries: readonly unknown[]) {
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  if (WRITE)
    pendingWrites.push({
      path,
      text: `${head},\n  "${key}": [\n${entries.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]\n}\n`,
    });
}
const RX_SOURCE = {
  source: 'NLM RxNorm Current Prescribable Content (~2025-10), ingredients and SCDs B–Z (derived extract)',
  url: 'https://www.nlm.nih.gov/research/umls/rxnorm/docs/prescribe.html',
};
writeJson(join(KB, 'ingredients.json'), {
  description:
    'RxNorm ingredients (IN; PIN and MIN with their base INs) referenced by the interactions, classes, alternatives and products. Generated by knowledge-base/tools/build-kb.ts; verification tokens are defined in knowledge-base/README.md.',
  sources: [
    RX_SOURCE,
    {
      source:
        'NDF-RT ↔ RxNorm mapping 2014 (dbmi-pitt/public-PDDI-analysis, PDDI-Datasets/Ndf-rt/NDFRT_RxNorm_mapping.csv)',
      url: 'https://github.com/dbmi-pitt/public-PDDI-analysis',
    },
    {
      source:
        'FDA UNII ↔ RxNorm mapping 2014 (dbmi-pitt/public-PDDI-analysis, FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv)',
      url: 'https://github.com/dbmi-pitt/public-PDDI-analysis',
    },
  ],
  ingredients: ingList,
});
writeJsonLines(
  join(KB, 'products.json'),
  {
    description:
      'Clinical drug → active ingredient (RxNorm IN) map: every SCD of the RxNorm 2025 prescribable extract that contains a registered ingredient, every prescribable and dose-form group of the CDS Hooks Sandbox list whose ingredients verify (brands and letter-A drugs included), plus the RxNorm-coded medications of the CDS Hooks fixtures and Synthea codes. One product per line. Generated by knowledge-base/tools/build-kb.ts.',
    sources: [
      RX_SOURCE,
      {
        source:
          'Synthea module and cost code lists (grongierisc/synthea fork @ 014496742c32b52042e73025a536177640f7cb54, Apache-2.0)',
        url: 'https://github.com/synthetichealth/synthea',
      },
      {
        source: 'NDF-RT ↔ RxNorm mapping 2014, VA product rows (dbmi-pitt/public-PDDI-analysis)',
        url: 'https://github.com/dbmi-pitt/public-PDDI-analysis',
      },
      {
        source:
          'CDS Hooks Sandbox RxNorm list (cds-hooks/sandbox src/assets/medication-list.js @ ddcf7c77778f22676a327e8230e3de59eb6e0265, 2018, Apache-2.0)',
        url: 'https://github.com/cds-hooks/sandbox/blob/ddcf7c77778f22676a327e8230e3de59eb6e0265/src/assets/medication-list.js',
      },
    ],
  },
  'products',
  prodList,
);
const classesPath = join(KB, 'classes.json');
const classesFile = JSON.parse(readFileSync(classesPath, 'utf8'));
classesFile.classes = CLASSES.map((c) => ({
  id: c.id,
  name: c.name,
  members: classMembers.get(c.id)!,
  citations: c.citations,
}));
writeJson(classesPath, classesFile);
const interactionIds = new Set<string>();
// --only=<file.json>: read and rewrite just that interaction file (people editing other files are not overwritten)
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
for (const f of readdirSync(join(KB, 'interactions'))
  .filter((n) => n.endsWith('.json') && (!only || n === only))
  .sort()) {
  const path = join(KB, 'interactions', f);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  for (const it of file.interactions) {
    const s = resolvedSides.get(it.id);
    if (!s) throw new Error(`${f}: ${it.id} has no member spec`);
    if (interactionIds.has(it.id)) throw new Error(`${f}: ${it.id} is in two interaction files`);
    interactionIds.add(it.id);
    it.a.ingredients = s.a.ingredients;
    it.a.classes = s.a.classes;
    it.b.ingredients = s.b.ingredients;
    it.b.classes = s.b.classes;
    it.alternatives = alternatives.get(it.id) ?? [];
    for (const sd of ['a', 'b'] as const)
      for (const c of Object.keys(it[sd].washoutByIngredient ?? {}))
        if (!it[sd].ingredients.includes(c))
          throw new Error(`${it.id}.${sd}: washout code ${c} is not a member of the side`);
  }
  writeJson(path, file);
}
if (!only)
  for (const e of ENTRIES)
    if (!interactionIds.has(e.id)) note(`WARNING: member spec ${e.id} has no interaction in the JSON files`);

// ---------------------------------------------------------------- reduced reference data (knowledge-base/reference/)
const usedCodes = new Set([...ingredients.keys()]);
const fixtureOut: Record<string, string[]> = {};
const keep = (file: string, header: string, lines: Iterable<string>) => {
  const uniq = [...new Set(lines)];
  fixtureOut[file] = [header, ...uniq];
};
keep(
  'rxnorm_ingredients_B-Z.csv',
  'rxcui,name,tty,unii',
  src.rxnIngredients.filter((r) => usedCodes.has(r.rxcui)).map((r) => r.line),
);
keep(
  'rxnorm_scd_B-Z.csv',
  'scd_rxcui,scd_name,ingredient_rxcuis,ingredient_ttys,scdc_names',
  src.scd
    .filter((r) => products.get(r.rxcui)?.verifiedIn.includes('RXN2025') || scdNameLines.has(r.line))
    .map((r) => r.line),
);
const ingEvidence = (source: string) =>
  [...ingredients.values()].flatMap((i) => i.evidence.filter((e) => e.source === source).map((e) => e.line));
keep('NDFRT_RxNorm_mapping.csv', 'rxcui;nui;drugname', [...ingEvidence('NDFRT2014'), ...productLines.ndfrt]);
keep(
  'FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv',
  'FDA_PreferredTerm\tFDA_UNII\tRxNorm_CUI\tDrugBank_Name\tDrugBank_CUI\tChEBI_CUI',
  ingEvidence('FDA-UNII2014'),
);
keep(
  'common_drug_ingredient_rxcuis.csv',
  'drug,rxnorm_in_name_if_different,rxcui_ingredient,verified_in,other_codes_seen',
  ingEvidence('COMMON'),
);
keep('onc_high_priority_members.csv', src.oncHigh.lines[0]!, src.oncHigh.lines.slice(1));
keep('onc_low_priority_noninterruptive_members.csv', src.oncLow.lines[0]!, src.oncLow.lines.slice(1));
keep('synthea_module_rxnorm_codes.csv', src.syntheaRx.lines[0]!, productLines.syntheaRx);
keep('synthea_fhir_medication_codes.csv', 'rxcui,display,file', [...syntheaFhirLines.values()].sort());
keep(
  'fda_label_records.csv',
  'set_id,brand_name,generic_name,substance_names,rxcuis,url',
  [...labelsUsed]
    .map((r) => [r.setId, r.brand, r.generic, r.substances.join(';'), r.rxcuis.join(';'), r.url].map(csvCell).join(','))
    .sort(),
);
keep('sandbox_prescribables.csv', 'rxcui,name,components', [...sandboxRows.values()]);
keep('costs_medications_2019.csv', src.syntheaCosts.lines[0]!, productLines.syntheaCosts);
// LOINC rows: the codes observations.json uses
const obs = JSON.parse(readFileSync(join(KB, 'observations.json'), 'utf8'));
const loincs = new Set<string>(obs.observations.flatMap((o: { loinc: string[] }) => o.loinc));
keep(
  'synthea_module_loinc_codes.csv',
  src.syntheaLoinc.lines[0]!,
  src.syntheaLoinc.rows.flatMap((r, i) => (loincs.has(r.loinc!) ? [src.syntheaLoinc.lines[i + 1]!] : [])),
);
if (WRITE) {
  mkdirSync(REFERENCE, { recursive: true });
  for (const [f, lines] of Object.entries(fixtureOut)) writeFileSync(join(REFERENCE, f), lines.join('\n') + '\n');
  for (const w of pendingWrites) writeFileSync(w.path, w.text);
}

// ---------------------------------------------------------------- report
const byTty = (xs: { tty: string }[]) =>
  xs.reduce<Record<string, number>>((m, x) => ((m[x.tty] = (m[x.tty] ?? 0) + 1), m), {});
console.log(`interactions specs: ${ENTRIES.length}; classes: ${CLASSES.length}`);
console.log(`ingredients: ${ingList.length}`, byTty(ingList), `member ingredients: ${memberSet.size}`);
console.log(`products: ${prodList.length}`, byTty(prodList), `(SCD rows scanned: ${scdScanned})`);
console.log(
  `Sandbox list: ${sandbox ? sandbox.prescribables.size : 0} prescribables: ${sandboxCount.confirmed} confirmed, ${sandboxCount.added} added, ${sandboxCount.disagree} disagree; ${sandboxCount.groups} groups; ${sandboxLeftOut.length} left out`,
);
for (const r of sandboxReport) console.log('  Sandbox ' + r);
console.log(`SCDs/codes left out: ${leftOut.length}`);
for (const l of leftOut) console.log(`  left out ${l.rxcui} ${l.name}: ${l.reason}`);
console.log(`ONC member exclusions: ${exclusions.length}`);
for (const e of exclusions) console.log(`  ${e.list} #${e.no} ${e.side} ${e.name} ${e.rxcui || '-'}: ${e.reason}`);
console.log('fixture medications:');
for (const r of fixtureReport) console.log('  ' + r);
console.log('synthea:');
for (const r of syntheaReport) console.log('  ' + r);
for (const r of vaReport) console.log('  VA ' + r);
console.log(
  `VA-only products: ${prodList.filter((p) => p.verifiedIn.join() === 'NDFRT2014-VA').length}; with strengths: ${prodList.filter((p) => 'strengths' in p).length}`,
);
for (const p of pinProblems) console.log('  PIN ' + p);
console.log(`MIN recorded: ${minCount}`);
for (const p of minProblems) console.log('  MIN ' + p);
for (const l of log) console.log(l);
console.log('salt names resolved to their IN: ' + [...saltResolutions].map(([a, b]) => `${a} → ${b}`).join('; '));
console.log(
  Object.entries(fixtureOut)
    .map(([f, l]) => `${f}: ${l.length - 1} rows`)
    .join('\n'),
);
console.log(WRITE ? 'written' : 'dry run (use --write)');
if (args.includes('--debug-missing')) {
  for (const p of products.values()) {
    const row = src.scdByCui.get(p.rxcui);
    const extra = row ? p.ingredients.filter((c) => !row.ingredientRxcuis.includes(c)) : [];
    if (extra.length) console.log('ADDED', p.rxcui, p.name, '=>', extra.map((c) => ingredients.get(c)?.name).join(','));
  }
}
if (args.includes('--debug-fixtures'))
  for (const p of prodList.filter((x) => fixtureMeds.has(x.rxcui) && !x.verifiedIn.includes('RXN2025')))
    console.log(
      'FIX',
      p.rxcui,
      p.tty,
      p.verifiedIn.join('+'),
      p.name,
      '=>',
      p.ingredients.map((c) => ingredients.get(c)?.name).join(','),
      JSON.stringify((p as { strengths?: unknown }).strengths ?? null),
    );
