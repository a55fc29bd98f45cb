/**
 * DDInter-style CSV importer (format `ddinter`): header `DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level`.
 * DDInter is a licensed compendium; a site loads its own copy and it is never committed. The file gives a pair
 * of drug names and a severity level only, so every record says so plainly and points to the source for details.
 */
import { ImportError, type ImportContext, type Importer, type ImportRecord } from '../import-record.js';
import { Interaction, type Severity } from '../source-schema.js';
import { progressReporter, readCsvWithHeader } from './csv.js';
import { describeIssues, IMPORTED_FORMS } from './neutral-csv.js';

export const DDINTER_COLUMNS = ['DDInterID_A', 'Drug_A', 'DDInterID_B', 'Drug_B', 'Level'] as const;

/** DDInter level (case-insensitive) → severity. */
const LEVELS: ReadonlyMap<string, Severity | 'unknown'> = new Map([
  ['major', 'major'],
  ['moderate', 'moderate'],
  ['minor', 'minor'],
  ['unknown', 'unknown'],
]);

export const DDINTER_CITATION = {
  source: 'DDInter (imported by this site)',
  url: 'https://ddinter.scbdd.com/',
} as const;

export const DDINTER_TEXT = {
  mechanism:
    'Not stated here: the imported DDInter data gives only a severity level for this pair. See the licensed source for the mechanism.',
  effect:
    'Not stated here: the imported DDInter data gives only a severity level for this pair. See the licensed source for the expected effect.',
  management:
    'No advice is given here because the imported source supplies only a severity. Review the pair in DDInter or another licensed compendium before acting.',
} as const;

/** Names the DDInter column a zod issue path points at (the id is built from both DDInter ids). */
function ddinterColumnOf(path: readonly PropertyKey[]): string {
  const [top, second] = path;
  if (top === 'id') return 'DDInterID_A/DDInterID_B';
  if ((top === 'a' || top === 'b') && second === 'label') return top === 'a' ? 'Drug_A' : 'Drug_B';
  if (top === 'title') return 'Drug_A/Drug_B';
  return path.map(String).join('.') || '(row)';
}

async function* read(file: string, context: ImportContext): AsyncGenerator<ImportRecord> {
  const progress = progressReporter(context);
  // Pairs seen so far (unordered DDInter ids) → line and level, to catch repeats and contradictions.
  const seen = new Map<string, { line: number; level: string; levelText: string }>();
  for await (const { line, fields } of readCsvWithHeader(file, DDINTER_COLUMNS)) {
    progress(line);
    // Fields come in DDINTER_COLUMNS order whatever the file's column order.
    const [idA, drugA, idB, drugB, levelText] = fields.map((f) => f.trim()) as [string, string, string, string, string];
    for (const [column, v] of [
      ['DDInterID_A', idA],
      ['DDInterID_B', idB],
      ['Drug_A', drugA],
      ['Drug_B', drugB],
    ] as const) {
      if (v === '') throw new ImportError(file, line, `${column} is empty`);
    }
    const level = LEVELS.get(levelText.toLowerCase());
    if (!level) throw new ImportError(file, line, `Level "${levelText}" is not one of Major, Moderate, Minor, Unknown`);

    const key = [idA.toLowerCase(), idB.toLowerCase()].sort().join('\u0000');
    const earlier = seen.get(key);
    if (earlier) {
      if (earlier.level !== level) {
        throw new ImportError(
          file,
          line,
          `the pair ${idA}/${idB} has level ${levelText} here but ${earlier.levelText} on line ${earlier.line}: lines ${earlier.line} and ${line} contradict each other`,
        );
      }
      context.skip(line, `repeats the pair ${idA}/${idB} of line ${earlier.line}`);
      continue;
    }
    seen.set(key, { line, level, levelText });

    if (level === 'unknown') {
      context.skip(line, `${drugA} / ${drugB}: level Unknown, DDInter gives no severity for this pair`);
      continue;
    }
    const inA = context.ingredientByName(drugA);
    const inB = context.ingredientByName(drugB);
    const unknown = [inA ? undefined : drugA, inB ? undefined : drugB].filter((d): d is string => d !== undefined);
    if (unknown.length) {
      context.skip(
        line,
        `${unknown.map((d) => `"${d}"`).join(' and ')} not in the knowledge base (no RxNorm ingredient by that name)`,
      );
      continue;
    }
    if (inA === inB) {
      context.skip(line, `"${drugA}" and "${drugB}" are the same ingredient (RxCUI ${inA})`);
      continue;
    }

    const input = {
      id: `ddinter-${idA}-${idB}`.toLowerCase(),
      title: `${drugA} and ${drugB} (DDInter)`,
      // DDInter states no route: an imported pair counts systemic forms (knowledge-base/IMPORT-FORMATS.md).
      a: { label: drugA, ingredients: [inA], forms: IMPORTED_FORMS },
      b: { label: drugB, ingredients: [inB], forms: IMPORTED_FORMS },
      severity: level,
      ...DDINTER_TEXT,
      evidence: 'suspected',
      citations: [{ ...DDINTER_CITATION }],
      review: { status: 'unreviewed' },
    };
    const parsed = Interaction.safeParse(input);
    if (!parsed.success) throw new ImportError(file, line, describeIssues(parsed.error.issues, input, ddinterColumnOf));
    yield { kind: 'interaction', line, value: parsed.data };
  }
}

export const ddinterCsvImporter: Importer = {
  format: 'ddinter',
  description:
    'DDInter-style CSV (DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level): drug names mapped to RxNorm ingredients of ' +
    'the knowledge base; severity only, evidence "suspected", unreviewed. Licensed: load your own copy, never commit it.',
  read,
};
