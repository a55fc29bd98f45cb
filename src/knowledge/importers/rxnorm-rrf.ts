/**
 * RxNorm RRF importer (format `rxnorm-rrf`): reads NLM's RXNCONSO.RRF and RXNREL.RRF from a release directory and
 * emits the ingredients (IN, PIN, MIN) and products (SCD, SBD, packs, components, forms, groups) with their
 * active ingredients as IN codes.
 *
 * Both files are read in one streaming pass each, keeping only compact maps: RxCUI → (term type, name, line) for
 * the SAB=RXNORM concepts of the term types we import, and the relations we follow as arrays of RxCUI numbers.
 *
 * Direction of RXNREL: NLM's RxNorm technical documentation (RXNREL.RRF section) says REL/RELA is "the relationship
 * which the SECOND concept or atom (RXCUI2) HAS TO the FIRST concept or atom (RXCUI1)". So the row
 * `RXCUI1=A | RELA=has_ingredient | RXCUI2=B` reads "B has_ingredient A" (B is the drug, A its ingredient), and
 * its inverse row `RXCUI1=B | RELA=ingredient_of | RXCUI2=A` reads "A ingredient_of B". Both rows are normalised
 * here to the same edge (B → A), so a file carrying only one direction of a pair still resolves.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ImportError, type ImportContext, type Importer, type ImportRecord } from '../import-record.js';
import { Ingredient, Product, ProductTty } from '../source-schema.js';
import { progressReporter, readRrf } from './csv.js';

export const RXNORM_VERIFIED_TOKEN = 'RXNORM-RRF';

/** RXNCONSO.RRF: RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF| */
const CONSO = { columns: 18, RXCUI: 0, LAT: 1, SAB: 11, TTY: 12, STR: 14, SUPPRESS: 16 } as const;
/** RXNREL.RRF: RXCUI1|RXAUI1|STYPE1|REL|RXCUI2|RXAUI2|STYPE2|RELA|RUI|SRUI|SAB|SL|RG|DIR|SUPPRESS|CVF| */
const REL = { columns: 16, RXCUI1: 0, RXCUI2: 4, RELA: 7, SAB: 10, SUPPRESS: 14 } as const;

const INGREDIENT_TTYS = ['IN', 'PIN', 'MIN'] as const;
const PRODUCT_TTYS = ProductTty.options;
type IngredientTty = (typeof INGREDIENT_TTYS)[number];
type Tty = IngredientTty | ProductTty;
const TTYS: readonly Tty[] = [...INGREDIENT_TTYS, ...PRODUCT_TTYS];

/** SUPPRESS values that take a row out: O obsolete, Y suppressed by NLM, E suppressible by end users. */
const SUPPRESSED = new Set(['O', 'Y', 'E']);

/**
 * The relations followed, normalised to an edge whole → part:
 *   ingredient  SCDC/SCDF/SCDG → IN (or MIN, by has_ingredients)    has_ingredient(s) / ingredient(s)_of
 *   precise     SCDC → PIN                                         has_precise_ingredient / precise_ingredient_of
 *   base        PIN → IN                                           form_of / has_form
 *   part        MIN → IN                                           has_part / part_of
 *   component   SCD → SCDC                                         consists_of / constitutes
 *   generic     SBD → SCD, SBDC → SCDC, SBDF → SCDF, SBDG → SCDG   tradename_of / has_tradename
 *   contains    GPCK/BPCK → SCD/SBD                                contains / contained_in
 * `whole` says which column holds the whole. A row reads "RXCUI2 <RELA> RXCUI1", so it is 'rxcui2' for the names
 * whose subject is the whole (RXCUI2 has_ingredient RXCUI1) and 'rxcui1' for their inverses (RXCUI2 ingredient_of
 * RXCUI1).
 */
type Kind = 'ingredient' | 'precise' | 'base' | 'part' | 'component' | 'generic' | 'contains';
const KINDS: readonly Kind[] = ['ingredient', 'precise', 'base', 'part', 'component', 'generic', 'contains'];
const RELATION_LIST: Readonly<Record<string, { kind: Kind; whole: 'rxcui1' | 'rxcui2' }>> = {
  has_ingredient: { kind: 'ingredient', whole: 'rxcui2' },
  ingredient_of: { kind: 'ingredient', whole: 'rxcui1' },
  has_ingredients: { kind: 'ingredient', whole: 'rxcui2' },
  ingredients_of: { kind: 'ingredient', whole: 'rxcui1' },
  has_precise_ingredient: { kind: 'precise', whole: 'rxcui2' },
  precise_ingredient_of: { kind: 'precise', whole: 'rxcui1' },
  form_of: { kind: 'base', whole: 'rxcui2' },
  has_form: { kind: 'base', whole: 'rxcui1' },
  has_part: { kind: 'part', whole: 'rxcui2' },
  part_of: { kind: 'part', whole: 'rxcui1' },
  consists_of: { kind: 'component', whole: 'rxcui2' },
  constitutes: { kind: 'component', whole: 'rxcui1' },
  tradename_of: { kind: 'generic', whole: 'rxcui2' },
  has_tradename: { kind: 'generic', whole: 'rxcui1' },
  contains: { kind: 'contains', whole: 'rxcui2' },
  contained_in: { kind: 'contains', whole: 'rxcui1' },
};
export const RELATIONS: ReadonlyMap<string, { kind: Kind; whole: 'rxcui1' | 'rxcui2' }> = new Map(
  Object.entries(RELATION_LIST),
);

/** The RELA names of each edge kind, for messages. */
const KIND_NAMES: Readonly<Record<Kind, string>> = {
  ingredient: 'has_ingredient',
  precise: 'has_precise_ingredient',
  base: 'form_of',
  part: 'has_part',
  component: 'consists_of',
  generic: 'tradename_of',
  contains: 'contains',
};

interface Concept {
  readonly tty: Tty;
  readonly name: string;
  readonly line: number;
}

type Edges = Map<number, number[]>;

/** What a product's term type is resolved through: which edges, to which term types. */
const PRODUCT_PATH: Readonly<Record<ProductTty, readonly { kind: Kind; to: readonly Tty[] }[]>> = {
  // An SCDC names its IN by has_ingredient; the precise ingredient (PIN) is a fallback that resolves to its IN.
  SCDC: [
    { kind: 'ingredient', to: INGREDIENT_TTYS },
    { kind: 'precise', to: ['PIN'] },
  ],
  SCDF: [{ kind: 'ingredient', to: INGREDIENT_TTYS }],
  SCDG: [{ kind: 'ingredient', to: INGREDIENT_TTYS }],
  SCD: [{ kind: 'component', to: ['SCDC'] }],
  SBD: [{ kind: 'generic', to: ['SCD'] }],
  SBDC: [{ kind: 'generic', to: ['SCDC'] }],
  SBDF: [{ kind: 'generic', to: ['SCDF'] }],
  SBDG: [{ kind: 'generic', to: ['SCDG'] }],
  GPCK: [{ kind: 'contains', to: ['SCD', 'SBD'] }],
  BPCK: [{ kind: 'contains', to: ['SCD', 'SBD'] }],
};

type Resolution =
  { readonly ok: true; readonly ins: readonly number[] } | { readonly ok: false; readonly reason: string };

const RXCUI = /^[0-9]{1,9}$/;

function isIngredientTty(tty: Tty): tty is IngredientTty {
  return (INGREDIENT_TTYS as readonly string[]).includes(tty);
}

/** The release files: `dir/RXNCONSO.RRF`, or `dir/rrf/RXNCONSO.RRF` as NLM's zip unpacks. */
export function locateRrf(dir: string): { conso: string; rel: string; sat: string | undefined } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ImportError(dir, 0, 'the rxnorm-rrf format reads a directory holding RXNCONSO.RRF and RXNREL.RRF');
  }
  const base = existsSync(path.join(dir, 'RXNCONSO.RRF')) ? dir : path.join(dir, 'rrf');
  const conso = path.join(base, 'RXNCONSO.RRF');
  const rel = path.join(base, 'RXNREL.RRF');
  for (const f of [conso, rel]) {
    if (!existsSync(f)) throw new ImportError(f, 0, `missing ${path.basename(f)} (an RxNorm release's rrf directory)`);
  }
  const sat = path.join(base, 'RXNSAT.RRF');
  return { conso, rel, sat: existsSync(sat) ? sat : undefined };
}

class Graph {
  readonly concepts = new Map<number, Concept>();
  readonly edges: Readonly<Record<Kind, Edges>> = Object.fromEntries(KINDS.map((k) => [k, new Map()])) as Record<
    Kind,
    Edges
  >;

  add(kind: Kind, whole: number, part: number): void {
    const map = this.edges[kind];
    const parts = map.get(whole);
    if (!parts) map.set(whole, [part]);
    else if (!parts.includes(part)) parts.push(part);
  }

  describe(code: number): string {
    const c = this.concepts.get(code);
    return c ? `${c.tty} ${code}` : `${code}`;
  }

  /** An IN → itself; a PIN → its IN (form_of); a MIN → its INs (has_part), in numeric order. */
  ingredientBase(code: number): Resolution {
    const c = this.concepts.get(code);
    if (!c) return { ok: false, reason: `${code} is not an active SAB=RXNORM IN, PIN or MIN in RXNCONSO` };
    if (c.tty === 'IN') return { ok: true, ins: [code] };
    if (c.tty !== 'PIN' && c.tty !== 'MIN') return { ok: false, reason: `${c.tty} ${code} is not an ingredient` };
    const kind: Kind = c.tty === 'PIN' ? 'base' : 'part';
    const parts = this.edges[kind].get(code) ?? [];
    if (parts.length === 0)
      return { ok: false, reason: `${c.tty} ${code} has no ${KIND_NAMES[kind]} relation to an IN` };
    const ins: number[] = [];
    for (const p of parts) {
      const pc = this.concepts.get(p);
      if (pc?.tty !== 'IN') {
        return {
          ok: false,
          reason: `${c.tty} ${code} ${KIND_NAMES[kind]} ${pc ? `${pc.tty} ${p}, not an IN` : `${p}, not an active SAB=RXNORM IN`}`,
        };
      }
      ins.push(p);
    }
    return { ok: true, ins: ins.sort((x, y) => x - y) };
  }

  /** A product's IN codes (numeric order), following PRODUCT_PATH; fails if any link is missing or leads nowhere. */
  productIngredients(code: number, depth = 0): Resolution {
    const c = this.concepts.get(code);
    if (!c) return { ok: false, reason: `${code} is not an active SAB=RXNORM concept in RXNCONSO` };
    if (isIngredientTty(c.tty)) return this.ingredientBase(code);
    if (depth > 4) return { ok: false, reason: `${c.tty} ${code}: relation chain too deep` };
    const steps = PRODUCT_PATH[c.tty];
    const step = steps.find((s) => (this.edges[s.kind].get(code)?.length ?? 0) > 0);
    if (!step) {
      const wanted = steps.map((s) => `${KIND_NAMES[s.kind]} ${s.to.join('/')}`).join(' or ');
      return { ok: false, reason: `${c.tty} ${code} has no ${wanted} relation` };
    }
    const ins = new Set<number>();
    for (const p of this.edges[step.kind].get(code) ?? []) {
      const pc = this.concepts.get(p);
      if (!pc || !step.to.includes(pc.tty)) {
        const what = pc
          ? `${pc.tty} ${p}, expected ${step.to.join('/')}`
          : `${p}, not an active SAB=RXNORM ${step.to.join('/')}`;
        return { ok: false, reason: `${c.tty} ${code} ${KIND_NAMES[step.kind]} ${what}` };
      }
      const r = this.productIngredients(p, depth + 1);
      if (!r.ok) return { ok: false, reason: `${c.tty} ${code} → ${r.reason}` };
      for (const i of r.ins) ins.add(i);
    }
    return { ok: true, ins: [...ins].sort((x, y) => x - y) };
  }
}

async function readConso(
  file: string,
  graph: Graph,
  context: ImportContext,
  progress: (n: number) => void,
  offset: number,
): Promise<number> {
  let lines = 0;
  for await (const { line, fields } of readRrf(file, CONSO.columns)) {
    lines = line;
    progress(offset + line);
    if (fields[CONSO.SAB] !== 'RXNORM' || fields[CONSO.LAT] !== 'ENG' || SUPPRESSED.has(fields[CONSO.SUPPRESS]!))
      continue;
    const tty = fields[CONSO.TTY] as Tty;
    if (!TTYS.includes(tty)) continue;
    const rxcui = fields[CONSO.RXCUI]!;
    if (!RXCUI.test(rxcui)) throw new ImportError(file, line, `RXCUI "${rxcui}" is not an RxCUI (1-9 digits)`);
    const code = Number(rxcui);
    const known = graph.concepts.get(code);
    if (known) {
      if (known.tty !== tty)
        context.skip(line, `RXCUI ${rxcui} is ${tty} here but ${known.tty} on line ${known.line}; the first is kept`);
      continue;
    }
    graph.concepts.set(code, { tty, name: fields[CONSO.STR]!, line });
  }
  return lines;
}

async function readRel(file: string, graph: Graph, progress: (n: number) => void, offset: number): Promise<number> {
  let lines = 0;
  for await (const { line, fields } of readRrf(file, REL.columns)) {
    lines = line;
    progress(offset + line);
    if (fields[REL.SAB] !== 'RXNORM' || SUPPRESSED.has(fields[REL.SUPPRESS]!)) continue;
    const rel = RELATIONS.get(fields[REL.RELA]!);
    if (!rel) continue;
    const c1 = fields[REL.RXCUI1]!;
    const c2 = fields[REL.RXCUI2]!;
    if (c1 === '' || c2 === '') continue; // an atom-level relation
    for (const [col, v] of [
      ['RXCUI1', c1],
      ['RXCUI2', c2],
    ] as const) {
      if (!RXCUI.test(v)) throw new ImportError(file, line, `${col} "${v}" is not an RxCUI (1-9 digits)`);
    }
    const [whole, part] = rel.whole === 'rxcui2' ? [Number(c2), Number(c1)] : [Number(c1), Number(c2)];
    if (graph.concepts.has(whole)) graph.add(rel.kind, whole, part);
  }
  return lines;
}

async function* read(dir: string, context: ImportContext): AsyncGenerator<ImportRecord> {
  const files = locateRrf(dir);
  const progress = progressReporter(context);
  const graph = new Graph();
  const consoLines = await readConso(files.conso, graph, context, progress, 0);
  await readRel(files.rel, graph, progress, consoLines);
  // RXNSAT (strengths, NDCs, flags) holds nothing the record schema can carry; it is not read.

  for (const [code, c] of graph.concepts) {
    if (!isIngredientTty(c.tty)) continue;
    const base = graph.ingredientBase(code);
    if (!base.ok) {
      context.skip(c.line, `${c.tty} ${code} "${c.name}": ${base.reason}`);
      continue;
    }
    const value = {
      rxcui: String(code),
      name: c.name,
      tty: c.tty,
      baseIngredients: c.tty === 'IN' ? [] : base.ins.map(String),
      verifiedIn: [RXNORM_VERIFIED_TOKEN],
    };
    const parsed = Ingredient.safeParse(value);
    if (!parsed.success)
      throw new ImportError(
        files.conso,
        c.line,
        parsed.error.issues.map((i) => `${i.path.join('.') || 'ingredient'}: ${i.message}`).join('; '),
      );
    yield { kind: 'ingredient', line: c.line, value: parsed.data };
  }

  for (const [code, c] of graph.concepts) {
    if (isIngredientTty(c.tty)) continue;
    const r = graph.productIngredients(code);
    if (!r.ok) {
      context.skip(
        c.line,
        `${graph.describe(code)} "${c.name}" left out, its ingredients do not all resolve: ${r.reason}`,
      );
      continue;
    }
    const value = {
      rxcui: String(code),
      name: c.name,
      tty: c.tty,
      ingredients: r.ins.map(String),
      verifiedIn: [RXNORM_VERIFIED_TOKEN],
    };
    const parsed = Product.safeParse(value);
    if (!parsed.success)
      throw new ImportError(
        files.conso,
        c.line,
        parsed.error.issues.map((i) => `${i.path.join('.') || 'product'}: ${i.message}`).join('; '),
      );
    yield { kind: 'product', line: c.line, value: parsed.data };
  }
}

export const rxnormRrfImporter: Importer = {
  format: 'rxnorm-rrf',
  description:
    'RxNorm release (RRF): a directory holding RXNCONSO.RRF and RXNREL.RRF (RXNSAT.RRF optional, not read). ' +
    'Imports SAB=RXNORM ingredients (IN, PIN, MIN) and products (SCD, SBD, GPCK, BPCK, SCDC, SBDC, SCDF, SBDF, ' +
    'SCDG, SBDG) with their IN codes; a product whose ingredients do not all resolve is skipped.',
  read,
};
