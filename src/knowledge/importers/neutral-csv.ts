/**
 * The neutral interaction CSV (format `csv`): one row per interaction, in the columns a site can produce from any
 * compendium it licenses. Each row is validated with the `Interaction` schema and streamed as it is read.
 * The layout is documented in knowledge-base/IMPORT-FORMATS.md.
 */
import type { z } from 'zod';
import { ImportError, type ImportContext, type Importer, type ImportRecord } from '../import-record.js';
import { Interaction } from '../source-schema.js';
import { columnIndex, progressReporter, readCsvWithHeader, splitList } from './csv.js';

export const NEUTRAL_CSV_COLUMNS = [
  'id',
  'title',
  'a_label',
  'a_ingredients',
  'a_classes',
  'a_washout_days',
  'b_label',
  'b_ingredients',
  'b_classes',
  'b_washout_days',
  'severity',
  'mechanism',
  'effect',
  'management',
  'evidence',
  'onc_list',
  'citation_source',
  'citation_doi',
  'citation_pmid',
  'citation_setid',
  'citation_section',
  'citation_url',
  'review_status',
  'reviewer',
  'review_date',
] as const;
export type NeutralCsvColumn = (typeof NEUTRAL_CSV_COLUMNS)[number];

const COL = columnIndex(NEUTRAL_CSV_COLUMNS);

/**
 * The routes an imported side counts when its format states none: forms given to reach the circulation, not eye,
 * ear, skin, inhaled or nasal products (SideForms in source-schema.ts). A compendium's pair is a systemic interaction
 * unless it says otherwise; a site that needs another choice imports in the `json` format, which states it per side.
 */
export const IMPORTED_FORMS = 'systemic' as const;

/** Reads a row's field by column name. */
type Row = (column: NeutralCsvColumn) => string;

/** The row accessor over a fields array in NEUTRAL_CSV_COLUMNS order. */
export function rowOf(fields: readonly string[]): Row {
  return (column) => fields[COL[column]] ?? '';
}

/** Empty (after trimming) means absent. */
function opt(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

function days(file: string, line: number, row: Row, column: 'a_washout_days' | 'b_washout_days'): number | undefined {
  const v = opt(row(column));
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v)) {
    throw new ImportError(file, line, `${column}: expected a whole number of days, found "${v}"`);
  }
  return Number(v);
}

function side(file: string, line: number, row: Row, s: 'a' | 'b'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    label: row(`${s}_label`).trim(),
    ingredients: splitList(row(`${s}_ingredients`)),
    classes: splitList(row(`${s}_classes`)),
    // The format has no route column: an imported pair counts systemic forms (knowledge-base/IMPORT-FORMATS.md).
    forms: IMPORTED_FORMS,
  };
  const washoutDays = days(file, line, row, s === 'a' ? 'a_washout_days' : 'b_washout_days');
  if (washoutDays !== undefined) out.washoutDays = washoutDays;
  return out;
}

/** Sets `key` only when the column is not empty, so an absent optional column leaves no key behind. */
function setOpt(target: Record<string, unknown>, key: string, value: string): void {
  const v = opt(value);
  if (v !== undefined) target[key] = v;
}

/** The row as the input object the `Interaction` schema parses. */
export function rowToInteraction(file: string, line: number, row: Row): unknown {
  const citation: Record<string, unknown> = { source: row('citation_source').trim() };
  setOpt(citation, 'doi', row('citation_doi'));
  setOpt(citation, 'pmid', row('citation_pmid'));
  setOpt(citation, 'setId', row('citation_setid'));
  setOpt(citation, 'section', row('citation_section'));
  setOpt(citation, 'url', row('citation_url'));
  const review: Record<string, unknown> = { status: row('review_status').trim() };
  setOpt(review, 'reviewer', row('reviewer'));
  setOpt(review, 'date', row('review_date'));
  const interaction: Record<string, unknown> = {
    id: row('id').trim(),
    title: row('title').trim(),
    a: side(file, line, row, 'a'),
    b: side(file, line, row, 'b'),
    severity: row('severity').trim(),
    mechanism: row('mechanism').trim(),
    effect: row('effect').trim(),
    management: row('management').trim(),
    evidence: row('evidence').trim(),
    citations: [citation],
    review,
  };
  setOpt(interaction, 'oncList', row('onc_list'));
  return interaction;
}

const SIDE_KEYS: Record<string, string> = {
  label: 'label',
  ingredients: 'ingredients',
  classes: 'classes',
  washoutDays: 'washout_days',
};
const CITATION_KEYS: Record<string, string> = {
  source: 'citation_source',
  doi: 'citation_doi',
  pmid: 'citation_pmid',
  setId: 'citation_setid',
  section: 'citation_section',
  url: 'citation_url',
};
const REVIEW_KEYS: Record<string, string> = { status: 'review_status', reviewer: 'reviewer', date: 'review_date' };

/** Names the CSV column (and list item) a zod issue path points at. */
export function columnOf(path: readonly PropertyKey[]): string {
  const [top, second, third] = path;
  const item = (n: unknown): string => (typeof n === 'number' ? ` item ${n + 1}` : '');
  if (top === 'a' || top === 'b') {
    if (second === undefined) return `${top}_ingredients/${top}_classes`;
    const key = SIDE_KEYS[String(second)];
    return key ? `${top}_${key}${item(third)}` : `${top}.${String(second)}`;
  }
  if (top === 'citations') {
    if (third === undefined) return 'citation_doi/citation_pmid/citation_setid/citation_url';
    return CITATION_KEYS[String(third)] ?? `citation ${String(third)}`;
  }
  if (top === 'review') {
    if (second === undefined) return 'review_status/reviewer/review_date';
    return REVIEW_KEYS[String(second)] ?? `review ${String(second)}`;
  }
  if (top === 'oncList') return 'onc_list';
  return path.length ? path.map(String).join('.') : '(row)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The zod issues in plain words: "severity: <message> (found "severe")". */
export function describeIssues(
  issues: z.ZodError['issues'],
  input: unknown,
  column: (path: readonly PropertyKey[]) => string = columnOf,
): string {
  return issues
    .map((issue) => {
      const value = valueAt(input, issue.path);
      const found = typeof value === 'string' || typeof value === 'number' ? ` (found "${value}")` : '';
      return `${column(issue.path)}: ${issue.message}${found}`;
    })
    .join('; ');
}

async function* read(file: string, context: ImportContext): AsyncGenerator<ImportRecord> {
  const progress = progressReporter(context);
  const seen = new Map<string, number>(); // id → line, to refuse a repeated id
  for await (const { line, fields } of readCsvWithHeader(file, NEUTRAL_CSV_COLUMNS)) {
    progress(line);
    const input = rowToInteraction(file, line, rowOf(fields));
    const parsed = Interaction.safeParse(input);
    if (!parsed.success) throw new ImportError(file, line, describeIssues(parsed.error.issues, input));
    const first = seen.get(parsed.data.id);
    if (first !== undefined)
      throw new ImportError(file, line, `id "${parsed.data.id}" repeats the id of line ${first}`);
    seen.set(parsed.data.id, line);
    yield { kind: 'interaction', line, value: parsed.data };
  }
}

export const neutralCsvImporter: Importer = {
  format: 'csv',
  description:
    'Neutral interaction CSV: one row per interaction (sides by RxNorm IN codes and/or class ids, severity, ' +
    'mechanism, effect, management, evidence, one citation, review). See knowledge-base/IMPORT-FORMATS.md.',
  read,
};
