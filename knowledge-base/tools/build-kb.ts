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
 * Maintenance tool only: never run by the app or the tests.
 */
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadSources,
  verifyIngredientByName,
  verifyCode,
  type Sources,
  type Verified,
  type ScdRow,
} from './kb-sources.js';
import { NAME_FIXES, GLOBAL_DROPS, type SideSpec } from './member-spec.js';
import { ENTRIES, CLASSES } from './all-specs.js';

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
    if (only) for (const n of only) if (!rows.some((r) => r.normalized_name === n)) throw new Error(`${entryId}: ${n} not on ONC ${list} #${no} ${side}`);
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
    for (const d of spec.drop ?? []) if (!rows.some((r) => r.normalized_name === d.name)) throw new Error(`${entryId}: drop ${d.name} not on the row`);
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
  classMembers.set(c.id, [...new Set(codes)].sort((x, y) => Number(x) - Number(y)));
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
const productLines = { scd: new Set<string>(), syntheaRx: new Set<string>(), syntheaCosts: new Set<string>(), ndfrt: new Set<string>() };
const leftOut: { rxcui: string; name: string; reason: string }[] = [];
const pinRecs = new Map<string, { pin: string; base: Set<string> }>();
let globalPinBase = new Map<string, string>();

/**
 * Substance part of one " / " component of an RxNorm clinical drug name: the words before the strength, without
 * the leading quantity / release qualifiers ("0.25 ML", "24 HR", "21 DAY", "20/80 Release", "3-Bead").
 */
export function componentSubstance(comp: string, first: boolean): string {
  const m = comp.match(/\s\d[\d.]*\s(?:MG|MCG|UNT|MEQ|ML|%|MMOL|G|NG|BAU|PNU|AU|IR|CELLS|ORGANISMS|UNITS?|LF|SQ-HDM|MCI|MBQ)\b/);
  const before = (m ? comp.slice(0, m.index) : comp).trim();
  if (!first) return before;
  // leading qualifiers: numbers ("0.25", "20/80"), all-capital tokens ("ML", "HR", "ACTUAT", "BX", "DAY"),
  // "3-Bead", "Release", "Rating"
  const words = before.split(' ');
  let k = 0;
  while (k < words.length - 1 && /^(\d[\d./,-]*|[A-Z][A-Z0-9-]*|\d+-[A-Za-z]+|Release|Rating)$/.test(words[k]!)) k++;
  return words.slice(k).join(' ');
}
const SALT_WORDS = new Set([
  'hydrochloride', 'sulfate', 'besylate', 'maleate', 'sodium', 'potassium', 'calcium', 'mesylate', 'tartrate',
  'succinate', 'acetate', 'citrate', 'fumarate', 'phosphate', 'hydrobromide', 'bromide', 'magnesium', 'trihydrate',
  'monohydrate', 'dihydrate', 'bitartrate', 'hyclate', 'dipropionate', 'propionate', 'tromethamine', 'mandelate',
  'aspartate', 'saccharate', 'medoxomil', 'disodium', 'nitrate', 'pamoate', 'lactate', 'gluconate', 'napsylate',
  'tosylate', 'decanoate', 'valerate', 'furoate', 'xinafoate', 'hcl',
]);
/** bases that are elements: "aluminum sulfate" is its own ingredient, not a salt of "aluminum" */
const ELEMENTS = new Set(['aluminum', 'magnesium', 'calcium', 'sodium', 'potassium', 'zinc', 'iron', 'copper', 'silver', 'lithium', 'ammonium']);
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
    if (!rx || rx.tty !== tty) throw new Error(`SCD ${row.rxcui}: ingredient ${c} ${tty} not in the ingredient extract`);
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
    const raw = componentSubstance(comp, false).toLowerCase();
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
    const lowerTail = raw.split(' ').reverse().reduce<{ w: string[]; stop: boolean }>((acc, w, j, arr) => {
      const orig = componentSubstance(comp, false).split(' ').reverse()[j] ?? '';
      if (!acc.stop && !/^(\d|[A-Z])/.test(orig)) acc.w.unshift(w);
      else acc.stop = true;
      void arr;
      return acc;
    }, { w: [], stop: false }).w.join(' ');
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
  } else if (!problem && unmatchedPins.length) problem = `salt component(s) ${unmatchedPins.join(',')} cannot be tied to one listed IN`;
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
let scdScanned = 0;
for (const row of src.scd) {
  scdScanned++;
  const { ins, missing, problem } = analyseScd(row);
  const all = [...ins, ...missing.map((m) => m.rxcui)];
  const hasMember = all.some((c) => memberSet.has(c));
  // a component we could not resolve might itself be a member (e.g. a salt name of one): check by name prefix
  const nameHitsMember = [...memberSet].some((c) => {
    const n = ingredients.get(c)?.name.toLowerCase();
    return n ? row.name.toLowerCase().split(' / ').some((comp, i) => componentSubstance(comp, i === 0).toLowerCase().startsWith(n)) : false;
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

// ---- CDS Hooks fixture medications (collected from the shared fixtures)
function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walkFiles(p) : p.endsWith('.json') ? [p] : [];
  });
}
const fixtureMeds = new Map<string, string>();
function collectRx(o: unknown) {
  if (Array.isArray(o)) o.forEach(collectRx);
  else if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (typeof r.system === 'string' && /rxnorm/i.test(r.system) && typeof r.code === 'string')
      fixtureMeds.set(r.code, String(r.display ?? ''));
    Object.values(r).forEach(collectRx);
  }
}
const fixtureFiles = [
  ...walkFiles(join(sharedDir, 'fhir-samples', 'cds-hooks-requests')),
  ...walkFiles(join(sharedDir, 'cds-hooks-examples')),
  ...readdirSync(join(sharedDir, 'fhir-samples', 'synthea', 'bundles'))
    .filter((f) => f.startsWith('Ali_Herman_75c71918-'))
    .map((f) => join(sharedDir, 'fhir-samples', 'synthea', 'bundles', f)),
];
for (const f of fixtureFiles) collectRx(JSON.parse(readFileSync(f, 'utf8')));

const FRENCH: [RegExp, string][] = [
  [/ Comprimés? oraux$| Comprimé oral$/, ' Oral Tablet'],
  [/ Comprimé à croquer$/, ' Chewable Tablet'],
  [/ Seringue préremplie$/, ' Prefilled Syringe'],
  [/ Solution injectable$/, ' Injectable Solution'],
];
const englishName = (d: string) => {
  const clean = d.replace(/ -- .*$| - (OTC|otc).*$/, '').trim();
  const brand = clean.match(/\s*\[[^\]]+\]$/)?.[0] ?? '';
  return FRENCH.reduce((s, [re, en]) => s.replace(re, en), clean.slice(0, clean.length - brand.length)) + brand;
};

/** A product known only from a Synthea list or NDF-RT VA product names: parse the display strictly. */
function fromDisplay(code: string, display: string): { tty: string; ingredients: string[] } | { problem: string } {
  const name = englishName(display);
  const brand = /\[[^\]]+\]$/.test(name);
  const body = name.replace(/\s*\[[^\]]+\]$/, '');
  const tty = brand ? 'SBD' : /\d\s(MG|MCG|UNT|MEQ)(\/\w+)?$/.test(body) ? 'SCDC' : 'SCD';
  const comps = body.split(' / ');
  const ins: string[] = [];
  for (const [i, comp] of comps.entries()) {
    if (!/\s\d[\d.]*\s(MG|MCG|UNT|MEQ)\b/.test(comp)) return { problem: `component "${comp}" of ${code} has no strength` };
    const sub = componentSubstance(comp, i === 0).toLowerCase();
    let v = resolveMissing(sub);
    if (!v) {
      // a B–Z salt name: an RxNorm 2025 PIN whose IN name starts it
      const pin = (src.rxnByName.get(sub) ?? []).find((r) => r.tty === 'PIN');
      const base = pin && src.rxnIngredients.filter((r) => r.tty === 'IN' && sub.startsWith(r.name.toLowerCase() + ' '));
      if (pin && base && base.length === 1) v = verifyIngredientByName(src, base[0]!.name);
    }
    if (!v || v.tty !== 'IN') return { problem: `component "${sub}" of ${code} does not resolve` };
    ins.push(v.rxcui);
  }
  return { tty, ingredients: [...new Set(ins)].sort((x, y) => Number(x) - Number(y)) };
}

const fixtureReport: string[] = [];
for (const [code, display] of fixtureMeds) {
  if (products.has(code)) {
    fixtureReport.push(`${code} in extract (already included)`);
    continue;
  }
  const row = src.scdByCui.get(code);
  if (row) {
    const { ins, missing, problem } = analyseScd(row);
    if (problem) {
      leftOut.push({ rxcui: code, name: row.name, reason: `fixture medication: ${problem}` });
      continue;
    }
    for (const m of missing) register(m);
    products.set(code, { rxcui: code, name: row.name, tty: 'SCD', ingredients: [...ins, ...missing.map((m) => m.rxcui)].sort((x, y) => Number(x) - Number(y)), verifiedIn: ['RXN2025'], evidence: [] });
    productLines.scd.add(row.line);
    fixtureReport.push(`${code} from extract`);
    continue;
  }
  // NDF-RT VA product names for this code: every one must start with the same single verified ingredient name.
  const va = src.ndfrt.filter((r) => r.rxcui === code);
  const parsed = fromDisplay(code, display);
  if (va.length && !('problem' in parsed) && parsed.ingredients.length === 1) {
    const ing = ingredients.get(parsed.ingredients[0]!) ?? verifyCode(src, parsed.ingredients[0]!, src.rxnByCui.get(parsed.ingredients[0]!)?.name ?? '');
    const iname = [...ingredients.values()].find((i) => i.rxcui === parsed.ingredients[0])?.name ?? ing?.name;
    if (iname && va.every((r) => r.name.toUpperCase().startsWith(iname.toUpperCase() + ' '))) {
      const v = verifyIngredientByName(src, iname)!;
      register(v);
      products.set(code, { rxcui: code, name: display, tty: parsed.tty, ingredients: parsed.ingredients, verifiedIn: ['NDFRT2014-VA'], evidence: [] });
      va.forEach((r) => productLines.ndfrt.add(r.line));
      fixtureReport.push(`${code} from NDF-RT VA product rows (${va.length})`);
      continue;
    }
  }
  leftOut.push({ rxcui: code, name: display, reason: 'fixture medication: code not in the RxNorm extract, the Synthea lists or NDF-RT' });
}

// ---- Synthea module / cost lists: products not in the extract that hold a member or alternative
const syntheaCodes = new Map<string, { display: string; line: string; file: 'syntheaRx' | 'syntheaCosts' }>();
for (const [i, r] of src.syntheaRx.rows.entries())
  syntheaCodes.set(r.rxcui!, { display: (r['synthea_display(s)'] ?? '').split(' | ')[0]!, line: src.syntheaRx.lines[i + 1]!, file: 'syntheaRx' });
for (const [i, r] of src.syntheaCosts.rows.entries())
  if (!syntheaCodes.has(r.CODE!)) syntheaCodes.set(r.CODE!, { display: r.COMMENTS!, line: src.syntheaCosts.lines[i + 1]!, file: 'syntheaCosts' });
const syntheaReport: string[] = [];
for (const [code, s] of syntheaCodes) {
  if (src.scdByCui.has(code) || products.has(code)) continue;
  const parsed = fromDisplay(code, s.display);
  if ('problem' in parsed) {
    syntheaReport.push(`skip ${code} "${s.display}": ${parsed.problem}`);
    continue;
  }
  if (!parsed.ingredients.some((c) => memberSet.has(c) || altSet.has(c))) continue;
  const anyBZ = parsed.ingredients.some((c) => src.rxnByCui.has(c));
  if (parsed.tty === 'SCD' && anyBZ) {
    syntheaReport.push(`skip ${code} "${s.display}": an SCD with a B–Z ingredient absent from the 2025 extract (retired or not prescribable)`);
    leftOut.push({ rxcui: code, name: s.display, reason: 'Synthea code: SCD with a B–Z ingredient absent from the RxNorm 2025 prescribable extract' });
    continue;
  }
  for (const c of parsed.ingredients) {
    const rx = src.rxnByCui.get(c);
    register(rx ? verifyIngredientByName(src, rx.name)! : [...ingredients.values()].find((i) => i.rxcui === c) ?? (() => { throw new Error(c); })());
  }
  products.set(code, { rxcui: code, name: englishName(s.display), tty: parsed.tty, ingredients: parsed.ingredients, verifiedIn: ['SYNTHEA'], evidence: [] });
  productLines[s.file].add(s.line);
  syntheaReport.push(`add ${code} ${parsed.tty} "${englishName(s.display)}"`);
}

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
  if (!resolved.some((v) => v && memberSet.has(v.rxcui))) continue;
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

// ---------------------------------------------------------------- write
const sortNum = <T extends { rxcui: string }>(xs: T[]) => xs.sort((x, y) => Number(x.rxcui) - Number(y.rxcui));
const ingList = sortNum([...ingredients.values()]).map((i) => ({
  rxcui: i.rxcui,
  name: i.name,
  tty: i.tty,
  baseIngredients: i.baseIngredients,
  verifiedIn: i.verifiedIn,
}));
const prodList = sortNum([...products.values()]).map((p) => ({
  rxcui: p.rxcui,
  name: p.name,
  tty: p.tty,
  ingredients: p.ingredients,
  verifiedIn: p.verifiedIn,
}));

function writeJson(path: string, data: unknown) {
  if (WRITE) writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
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
    { source: 'NDF-RT ↔ RxNorm mapping 2014 (dbmi-pitt/public-PDDI-analysis, PDDI-Datasets/Ndf-rt/NDFRT_RxNorm_mapping.csv)', url: 'https://github.com/dbmi-pitt/public-PDDI-analysis' },
    { source: 'FDA UNII ↔ RxNorm mapping 2014 (dbmi-pitt/public-PDDI-analysis, FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv)', url: 'https://github.com/dbmi-pitt/public-PDDI-analysis' },
  ],
  ingredients: ingList,
});
writeJson(join(KB, 'products.json'), {
  description:
    'Clinical drug → active ingredient (RxNorm IN) map: every SCD of the RxNorm 2025 prescribable extract that contains an interaction or class member, plus the RxNorm-coded medications of the CDS Hooks fixtures and member-containing Synthea codes. Generated by knowledge-base/tools/build-kb.ts.',
  sources: [
    RX_SOURCE,
    { source: 'Synthea module and cost code lists (grongierisc/synthea fork @ 014496742c32b52042e73025a536177640f7cb54, Apache-2.0)', url: 'https://github.com/synthetichealth/synthea' },
    { source: 'NDF-RT ↔ RxNorm mapping 2014, VA product rows (dbmi-pitt/public-PDDI-analysis)', url: 'https://github.com/dbmi-pitt/public-PDDI-analysis' },
  ],
  products: prodList,
});
const classesPath = join(KB, 'classes.json');
const classesFile = JSON.parse(readFileSync(classesPath, 'utf8'));
classesFile.classes = CLASSES.map((c) => ({ id: c.id, name: c.name, members: classMembers.get(c.id)!, citations: c.citations }));
writeJson(classesPath, classesFile);
const interactionIds = new Set<string>();
// --only=<file.json>: read and rewrite just that interaction file (people editing other files are not overwritten)
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
for (const f of readdirSync(join(KB, 'interactions')).filter((n) => n.endsWith('.json') && (!only || n === only)).sort()) {
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
        if (!it[sd].ingredients.includes(c)) throw new Error(`${it.id}.${sd}: washout code ${c} is not a member of the side`);
  }
  writeJson(path, file);
}
if (!only) for (const e of ENTRIES) if (!interactionIds.has(e.id)) note(`WARNING: member spec ${e.id} has no interaction in the JSON files`);

// ---------------------------------------------------------------- reduced reference data (knowledge-base/reference/)
const usedCodes = new Set([...ingredients.keys()]);
const fixtureOut: Record<string, string[]> = {};
const keep = (file: string, header: string, lines: Iterable<string>) => {
  const uniq = [...new Set(lines)];
  fixtureOut[file] = [header, ...uniq];
};
keep('rxnorm_ingredients_B-Z.csv', 'rxcui,name,tty,unii', src.rxnIngredients.filter((r) => usedCodes.has(r.rxcui)).map((r) => r.line));
keep('rxnorm_scd_B-Z.csv', 'scd_rxcui,scd_name,ingredient_rxcuis,ingredient_ttys,scdc_names', src.scd.filter((r) => products.has(r.rxcui)).map((r) => r.line));
const ingEvidence = (source: string) => [...ingredients.values()].flatMap((i) => i.evidence.filter((e) => e.source === source).map((e) => e.line));
keep('NDFRT_RxNorm_mapping.csv', 'rxcui;nui;drugname', [...ingEvidence('NDFRT2014'), ...productLines.ndfrt]);
keep('FDA_RXNORM_DRUGBANK_CHEBI_COMBINED_MAPPING_04042014_TRIADS.tsv', 'FDA_PreferredTerm\tFDA_UNII\tRxNorm_CUI\tDrugBank_Name\tDrugBank_CUI\tChEBI_CUI', ingEvidence('FDA-UNII2014'));
keep('common_drug_ingredient_rxcuis.csv', 'drug,rxnorm_in_name_if_different,rxcui_ingredient,verified_in,other_codes_seen', ingEvidence('COMMON'));
keep('onc_high_priority_members.csv', src.oncHigh.lines[0]!, src.oncHigh.lines.slice(1));
keep('onc_low_priority_noninterruptive_members.csv', src.oncLow.lines[0]!, src.oncLow.lines.slice(1));
keep('synthea_module_rxnorm_codes.csv', src.syntheaRx.lines[0]!, productLines.syntheaRx);
keep('costs_medications_2019.csv', src.syntheaCosts.lines[0]!, productLines.syntheaCosts);
// LOINC rows: the codes observations.json uses
const obs = JSON.parse(readFileSync(join(KB, 'observations.json'), 'utf8'));
const loincs = new Set<string>(obs.observations.flatMap((o: { loinc: string[] }) => o.loinc));
keep('synthea_module_loinc_codes.csv', src.syntheaLoinc.lines[0]!, src.syntheaLoinc.rows.flatMap((r, i) => (loincs.has(r.loinc!) ? [src.syntheaLoinc.lines[i + 1]!] : [])));
if (WRITE) {
  mkdirSync(REFERENCE, { recursive: true });
  for (const [f, lines] of Object.entries(fixtureOut)) writeFileSync(join(REFERENCE, f), lines.join('\n') + '\n');
}

// ---------------------------------------------------------------- report
const byTty = (xs: { tty: string }[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x.tty] = (m[x.tty] ?? 0) + 1), m), {});
console.log(`interactions specs: ${ENTRIES.length}; classes: ${CLASSES.length}`);
console.log(`ingredients: ${ingList.length}`, byTty(ingList), `member ingredients: ${memberSet.size}`);
console.log(`products: ${prodList.length}`, byTty(prodList), `(SCD rows scanned: ${scdScanned})`);
console.log(`SCDs/codes left out: ${leftOut.length}`);
for (const l of leftOut) console.log(`  left out ${l.rxcui} ${l.name}: ${l.reason}`);
console.log(`ONC member exclusions: ${exclusions.length}`);
for (const e of exclusions) console.log(`  ${e.list} #${e.no} ${e.side} ${e.name} ${e.rxcui || '-'}: ${e.reason}`);
console.log('fixture medications:');
for (const r of fixtureReport) console.log('  ' + r);
console.log('synthea:');
for (const r of syntheaReport) console.log('  ' + r);
for (const p of pinProblems) console.log('  PIN ' + p);
console.log(`MIN recorded: ${minCount}`);
for (const p of minProblems) console.log('  MIN ' + p);
for (const l of log) console.log(l);
console.log('salt names resolved to their IN: ' + [...saltResolutions].map(([a, b]) => `${a} → ${b}`).join('; '));
console.log(Object.entries(fixtureOut).map(([f, l]) => `${f}: ${l.length - 1} rows`).join('\n'));
console.log(WRITE ? 'written' : 'dry run (use --write)');
if (args.includes('--debug-missing')) {
  for (const p of products.values()) {
    const row = src.scdByCui.get(p.rxcui);
    const extra = row ? p.ingredients.filter((c) => !row.ingredientRxcuis.includes(c)) : [];
    if (extra.length) console.log('ADDED', p.rxcui, p.name, '=>', extra.map((c) => ingredients.get(c)?.name).join(','));
  }
}
