import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ImportError,
  type ImportContext,
  type Importer,
  type ImportRecord,
} from '../../../src/knowledge/import-record.js';
import { readCsv, readCsvWithHeader, readRrf } from '../../../src/knowledge/importers/csv.js';
import { NEUTRAL_CSV_COLUMNS } from '../../../src/knowledge/importers/neutral-csv.js';
import { IMPORTERS, listFormats } from '../../../src/knowledge/importers/index.js';
import { DDINTER_CITATION, DDINTER_TEXT } from '../../../src/knowledge/importers/ddinter-csv.js';
import { IngredientsFile, ProductsFile } from '../../../src/knowledge/source-schema.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/import');
const fixture = (name: string): string => path.join(fixtures, name);

const kbIngredients = IngredientsFile.parse(
  JSON.parse(readFileSync(path.join(root, 'knowledge-base/ingredients.json'), 'utf8')),
).ingredients;
const kbProducts = ProductsFile.parse(
  JSON.parse(readFileSync(path.join(root, 'knowledge-base/products.json'), 'utf8')),
).products;
const inByName = new Map(kbIngredients.filter((i) => i.tty === 'IN').map((i) => [i.name.toLowerCase(), i.rxcui]));

interface Run {
  records: ImportRecord[];
  skipped: { line: number; reason: string }[];
  progress: number[];
  error: ImportError | undefined;
}

function context(run: Run): ImportContext {
  return {
    ingredientByName: (name) => inByName.get(name.toLowerCase()),
    progress: (n) => run.progress.push(n),
    skip: (line, reason) => run.skipped.push({ line, reason }),
  };
}

async function runImport(importer: Importer, file: string): Promise<Run> {
  const run: Run = { records: [], skipped: [], progress: [], error: undefined };
  try {
    for await (const r of importer.read(file, context(run))) run.records.push(r);
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    run.error = err;
  }
  return run;
}

async function rows<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

async function importError(gen: AsyncIterable<unknown>): Promise<ImportError> {
  try {
    for await (const _ of gen) {
      // drain
    }
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
  throw new Error('expected an ImportError');
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'cds-importers-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});
let tmpCount = 0;
function tmpFile(content: string, name = `f${++tmpCount}.csv`): string {
  const f = path.join(tmp, name);
  writeFileSync(f, content);
  return f;
}

describe('CSV reader', () => {
  const text = 'a,b\n"x, y","he said ""hi"""\n"multi\nline",z\n\nlast,""\n';

  it('unquotes commas and doubled quotes, joins embedded line breaks, and numbers records by their first line', async () => {
    expect(await rows(readCsv(tmpFile(text)))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'he said "hi"'] },
      { line: 3, fields: ['multi\nline', 'z'] },
      { line: 6, fields: ['last', ''] }, // line 5 is empty and skipped
    ]);
  });

  it('reads CRLF line ends and a byte order mark the same way', async () => {
    const crlf = tmpFile('\uFEFF' + text.replace(/\n/g, '\r\n'));
    expect(await rows(readCsv(crlf))).toEqual(await rows(readCsv(tmpFile(text))));
  });

  it('reports a quote left open with the line the record started on', async () => {
    const err = await importError(readCsv(tmpFile('a,b\n1,2\n"open,3\nstill open\n')));
    expect([err.line, err.reason]).toEqual([3, 'a quoted field opened on line 3 is never closed']);
  });

  it('refuses a stray quote and text after a closing quote, with the line', async () => {
    const stray = await importError(readCsv(tmpFile('a,b\nx"y,2\n"ok",3"\n')));
    expect([stray.line, stray.reason]).toEqual([
      2,
      'a quote inside unquoted field 1 (quote the whole field and double the quote)',
    ]);
    const after = await importError(readCsv(tmpFile('a,b\n"ok"x,2\n')));
    expect([after.line, after.reason]).toEqual([2, 'text after the closing quote of field 1']);
  });

  it('checks the header by name (any order) and the field count of every record', async () => {
    const reordered = await rows(readCsvWithHeader(tmpFile('b,a\n2,1\n'), ['a', 'b']));
    expect(reordered).toEqual([{ line: 2, fields: ['1', '2'] }]); // in the expected order

    const f = tmpFile('a,c,d\n1,2,3\n');
    const bad = await importError(readCsvWithHeader(f, ['a', 'b']));
    expect(bad.file).toBe(f);
    expect(bad.line).toBe(1);
    expect(bad.reason).toBe('bad header: missing column: b; unknown columns: c, d (expected columns: a,b)');

    const short = await importError(readCsvWithHeader(tmpFile('a,b\n1,2\n"x\ny"\n'), ['a', 'b']));
    expect([short.line, short.reason]).toEqual([3, 'expected 2 fields, found 1']);

    const empty = await importError(readCsvWithHeader(tmpFile(''), ['a', 'b']));
    expect([empty.line, empty.reason]).toEqual([1, 'the file is empty (expected a header: a,b)']);
  });
});

describe('RRF reader', () => {
  it('splits on "|", drops the trailing empty field and checks the field count', async () => {
    expect(await rows(readRrf(tmpFile('1|a||\r\n2|b|c|\n', 'x.RRF'), 3))).toEqual([
      { line: 1, fields: ['1', 'a', ''] },
      { line: 2, fields: ['2', 'b', 'c'] },
    ]);
    const count = await importError(readRrf(tmpFile('1|a||\n1|a|\n', 'y.RRF'), 3));
    expect([count.line, count.reason]).toEqual([2, 'expected 3 fields, found 2']);
    const pipe = await importError(readRrf(tmpFile('1|a|b', 'z.RRF'), 3));
    expect([pipe.line, pipe.reason]).toEqual([1, 'an RRF row ends with "|"']);
  });
});

describe('neutral CSV importer (format csv)', () => {
  const csv = IMPORTERS['csv']!;

  it('emits one validated interaction per row, with the line each row starts on', async () => {
    const run = await runImport(csv, fixture('neutral-good.csv'));
    expect(run.error).toBeUndefined();
    expect(run.skipped).toEqual([]);
    expect(run.records.map((r) => [r.kind, r.line])).toEqual([
      ['interaction', 2],
      ['interaction', 3],
      ['interaction', 5], // the row on line 3 has a line break inside a quoted field
      ['interaction', 6],
    ]);
    expect(run.records[1]!.value).toEqual({
      id: 'synth-tizanidine-ciprofloxacin',
      title: 'Tizanidine with ciprofloxacin (synthetic test row)',
      a: { label: 'Tizanidine', ingredients: ['57258'], classes: [], forms: 'systemic' }, // no route column: the default
      b: { label: 'Ciprofloxacin', ingredients: ['2551'], classes: [], forms: 'systemic' },
      severity: 'contraindicated',
      mechanism: 'Synthetic text: CYP1A2 inhibition raises tizanidine levels.',
      effect: 'Synthetic text: low blood pressure and drowsiness.',
      management:
        'Synthetic text: avoid the "combination".\nSecond line of the same field, after an embedded line break.',
      evidence: 'established',
      oncList: 'high-priority',
      citations: [
        {
          source: 'Phansalkar S et al. JAMIA 2012;19(5):735-43',
          doi: '10.1136/amiajnl-2011-000612',
          pmid: '22539083',
          section: 'Table 2, synthetic section',
        },
      ],
      alternatives: [],
      review: { status: 'reviewed', reviewer: 'Test Reviewer', date: '2025-01-15' },
    });
    const [first, , third, fourth] = run.records.map((r) => r.value) as Extract<
      ImportRecord,
      { kind: 'interaction' }
    >['value'][];
    expect(first!.mechanism).toBe(
      "Synthetic text: the precipitant blocks CYP3A4, so the statin's exposure rises, several-fold.",
    );
    expect(first!.citations).toEqual([
      { source: 'Synthetic citation for importer tests', url: 'https://example.org/synthetic/1' },
    ]);
    expect(first!.review).toEqual({ status: 'unreviewed' });
    expect(first!.oncList).toBeUndefined();
    expect([third!.a.washoutDays, third!.b.washoutDays]).toEqual([14, 35]);
    expect(fourth!.a).toEqual({
      label: 'QT-prolonging drugs',
      ingredients: [],
      classes: ['qt-prolonging-known-risk'],
      forms: 'systemic',
    });
    expect(fourth!.b.ingredients).toEqual(['21212', '2551']);
  });

  it('reads the same file with CRLF line ends and a byte order mark identically', async () => {
    const original = readFileSync(fixture('neutral-good.csv'), 'utf8');
    const variant = tmpFile('\uFEFF' + original.replace(/\n/g, '\r\n'));
    const a = await runImport(csv, fixture('neutral-good.csv'));
    const b = await runImport(csv, variant);
    expect(b.error).toBeUndefined();
    expect(b.records).toEqual(a.records);
  });

  it('stops on a bad severity with the file, line 3 and the column in plain words', async () => {
    const file = fixture('neutral-bad-severity.csv');
    const run = await runImport(csv, file);
    expect(run.records.map((r) => r.line)).toEqual([2]);
    expect(run.error?.file).toBe(file);
    expect(run.error?.line).toBe(3);
    expect(run.error?.reason).toBe(
      'severity: Invalid option: expected one of "contraindicated"|"major"|"moderate"|"minor" (found "severe")',
    );
    expect(run.error?.message).toBe(`${file}:3: ${run.error?.reason}`);
  });

  it('stops on a missing column at line 1, naming it', async () => {
    const file = fixture('neutral-missing-column.csv');
    const run = await runImport(csv, file);
    expect(run.records).toEqual([]);
    expect([run.error?.file, run.error?.line]).toEqual([file, 1]);
    expect(run.error?.reason).toBe(
      `bad header: missing column: evidence (expected columns: ${NEUTRAL_CSV_COLUMNS.join(',')})`,
    );
  });

  it('stops on a bad RxCUI, naming the column and list item, at the line after a two-line row', async () => {
    const file = fixture('neutral-bad-rxcui.csv');
    const run = await runImport(csv, file);
    expect(run.records.map((r) => r.line)).toEqual([2]);
    expect([run.error?.file, run.error?.line]).toEqual([file, 4]);
    expect(run.error?.reason).toBe('b_ingredients item 2: an RxCUI is 1-9 digits (found "25x51")');
  });

  it('refuses a non-numeric washout, an empty side and a repeated id', async () => {
    const lines = readFileSync(fixture('neutral-good.csv'), 'utf8').split('\n');
    const header = lines[0]!;
    const row5 = lines[4]!; // the phenelzine row: a_washout_days 14
    const washout = await runImport(csv, tmpFile([header, row5.replace(',8123,,14,', ',8123,,two weeks,')].join('\n')));
    expect([washout.error?.line, washout.error?.reason]).toEqual([
      2,
      'a_washout_days: expected a whole number of days, found "two weeks"',
    ]);

    const emptySide = await runImport(
      csv,
      tmpFile([header, row5.replace(',SSRI,4493,,35,', ',SSRI,,,35,')].join('\n')),
    );
    expect([emptySide.error?.line, emptySide.error?.reason]).toEqual([
      2,
      'b_ingredients/b_classes: a side names ingredients or classes',
    ]);

    const repeated = await runImport(csv, tmpFile([header, row5, lines[5]!, row5].join('\n')));
    expect(repeated.records).toHaveLength(2);
    expect([repeated.error?.line, repeated.error?.reason]).toEqual([
      4,
      'id "synth-phenelzine-fluoxetine" repeats the id of line 2',
    ]);
  });

  it('streams a 200,000-row file: records arrive while it is still being read, progress every 10,000 lines', async () => {
    const file = path.join(tmp, 'big.csv');
    writeFileSync(file, NEUTRAL_CSV_COLUMNS.join(',') + '\n');
    const N = 200_000;
    for (let start = 0; start < N; start += 20_000) {
      let chunk = '';
      for (let i = start; i < start + 20_000; i++) {
        chunk += `gen-${i},Generated row ${i},Side A,36567,,,Side B,21212,,,major,Generated mechanism.,Generated effect.,Generated management.,suspected,,Generated,,,,,https://example.org/g,unreviewed,,\n`;
      }
      appendFileSync(file, chunk);
    }
    const run: Run = { records: [], skipped: [], progress: [], error: undefined };
    let count = 0;
    let progressAtFirst = -1;
    let progressAt15000 = -1;
    let last: ImportRecord | undefined;
    for await (const r of csv.read(file, context(run))) {
      count++;
      if (count === 1) progressAtFirst = run.progress.length;
      if (count === 15_000) progressAt15000 = run.progress.length;
      last = r;
    }
    expect(count).toBe(N);
    expect(progressAtFirst).toBe(0); // the first record came before 10,000 lines had been read
    expect(progressAt15000).toBe(1);
    expect(run.progress).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10_000));
    expect(last?.line).toBe(N + 1);
    expect(last?.kind === 'interaction' && last.value.id).toBe(`gen-${N - 1}`);
  });
});

describe('RxNorm RRF importer (format rxnorm-rrf)', () => {
  const rrf = IMPORTERS['rxnorm-rrf']!;
  const dir = fixture('rxnorm-rrf');
  const byCode = (run: Run): Map<string, ImportRecord> =>
    new Map(run.records.map((r) => [(r.value as { rxcui: string }).rxcui, r]));

  it('emits the SAB=RXNORM ingredients, then the products whose ingredients all resolve to IN codes', async () => {
    const run = await runImport(rrf, dir);
    expect(run.error).toBeUndefined();
    expect(
      run.records.map((r) => [r.kind, r.line, (r.value as { rxcui: string }).rxcui, (r.value as { tty: string }).tty]),
    ).toEqual([
      ['ingredient', 1, '6918', 'IN'],
      ['ingredient', 2, '221124', 'PIN'],
      ['ingredient', 3, '203191', 'PIN'],
      ['ingredient', 4, '11170', 'IN'],
      ['ingredient', 5, '203138', 'PIN'],
      ['ingredient', 6, '195088', 'IN'],
      ['ingredient', 7, '85762', 'IN'],
      ['ingredient', 8, '284640', 'MIN'],
      ['product', 12, '900000101', 'SCDC'],
      ['product', 13, '866412', 'SCD'], // line 13, not the SY atom of the same RXCUI on line 11
      ['product', 14, '866414', 'SBD'],
      ['product', 15, '900000102', 'SCDC'],
      ['product', 16, '900000103', 'SCDC'],
      ['product', 17, '597730', 'SCD'],
      ['product', 18, '900000104', 'SCDC'],
      ['product', 19, '897640', 'SCD'],
      ['product', 21, '900000106', 'SCDC'],
      ['product', 23, '900000201', 'GPCK'],
      ['product', 24, '900000202', 'BPCK'],
      ['product', 26, '900000301', 'SCDF'],
    ]);
    const codes = byCode(run);
    expect(codes.get('221124')?.value).toEqual({
      rxcui: '221124',
      name: 'metoprolol succinate',
      tty: 'PIN',
      baseIngredients: ['6918'],
      verifiedIn: ['RXNORM-RRF'],
    });
    // 203138 has only the "11170 has_form 203138" row, not its form_of inverse
    expect(codes.get('203138')?.value).toMatchObject({ tty: 'PIN', baseIngredients: ['11170'] });
    expect(codes.get('284640')?.value).toMatchObject({
      name: 'lopinavir / ritonavir',
      tty: 'MIN',
      baseIngredients: ['85762', '195088'],
    });
    expect(codes.get('6918')?.value).toMatchObject({ tty: 'IN', baseIngredients: [] });
    expect(codes.get('597730')?.value).toEqual({
      rxcui: '597730',
      name: 'lopinavir 200 MG / ritonavir 50 MG Oral Tablet',
      tty: 'SCD',
      ingredients: ['85762', '195088'],
      verifiedIn: ['RXNORM-RRF'],
    });
    expect(codes.get('866414')?.value).toMatchObject({ tty: 'SBD', ingredients: ['6918'] }); // via tradename_of 866412
    expect(codes.get('900000104')?.value).toMatchObject({ tty: 'SCDC', ingredients: ['11170'] }); // via its PIN only
    expect(codes.get('897640')?.value).toMatchObject({ tty: 'SCD', ingredients: ['11170'] }); // the VANDF row is ignored
    expect(codes.get('866412')?.value).toMatchObject({ ingredients: ['6918'] }); // the suppressed row is ignored
    expect(codes.get('900000202')?.value).toMatchObject({ tty: 'BPCK', ingredients: ['6918'] });
  });

  it('skips products whose ingredients do not all resolve, and leaves out suppressed, other-source and other-TTY rows', async () => {
    const run = await runImport(rrf, dir);
    const unresolved = 'has_ingredient 5487, not an active SAB=RXNORM IN/PIN/MIN';
    expect(run.skipped).toEqual([
      {
        line: 20,
        reason: `SCDC 900000105 "hydrochlorothiazide 25 MG" left out, its ingredients do not all resolve: SCDC 900000105 ${unresolved}`,
      },
      {
        line: 22,
        reason: `SCD 866479 "hydrochlorothiazide 25 MG / metoprolol tartrate 100 MG Oral Tablet" left out, its ingredients do not all resolve: SCD 866479 → SCDC 900000105 ${unresolved}`,
      },
      {
        line: 25,
        reason: `GPCK 900000203 "{28 (lopinavir 200 MG / ritonavir 50 MG Oral Tablet) / 28 (hydrochlorothiazide 25 MG / metoprolol tartrate 100 MG Oral Tablet) } Pack (synthetic)" left out, its ingredients do not all resolve: GPCK 900000203 → SCD 866479 → SCDC 900000105 ${unresolved}`,
      },
    ]);
    const codes = byCode(run);
    for (const absent of ['5487', '57258', '900000401', '866479', '900000105', '900000203'])
      expect(codes.has(absent)).toBe(false);
  });

  it('reads RXNREL as "RXCUI2 <RELA> RXCUI1": with the two columns swapped, nothing above an ingredient resolves', async () => {
    const swapped = path.join(tmp, 'rrf-swapped');
    mkdirSync(swapped);
    copyFileSync(path.join(dir, 'RXNCONSO.RRF'), path.join(swapped, 'RXNCONSO.RRF'));
    const rel = readFileSync(path.join(dir, 'RXNREL.RRF'), 'utf8')
      .split('\n')
      .map((l) => {
        const f = l.split('|');
        if (f.length < 5) return l;
        [f[0], f[4]] = [f[4]!, f[0]!];
        return f.join('|');
      })
      .join('\n');
    writeFileSync(path.join(swapped, 'RXNREL.RRF'), rel);
    const run = await runImport(rrf, swapped);
    expect(run.records.filter((r) => r.kind === 'product')).toEqual([]);
    expect(run.records.map((r) => (r.value as { tty: string }).tty)).toEqual(['IN', 'IN', 'IN', 'IN']);
  });

  it('does not need RXNSAT.RRF', async () => {
    const noSat = path.join(tmp, 'rrf-no-sat');
    mkdirSync(noSat);
    for (const f of ['RXNCONSO.RRF', 'RXNREL.RRF']) copyFileSync(path.join(dir, f), path.join(noSat, f));
    expect((await runImport(rrf, noSat)).records).toEqual((await runImport(rrf, dir)).records);
  });

  it('stops on a bad RXCUI, a short row or a missing file, naming the file and line', async () => {
    const bad = path.join(tmp, 'rrf-bad');
    mkdirSync(bad);
    const conso = readFileSync(path.join(dir, 'RXNCONSO.RRF'), 'utf8').split('\n');
    conso[3] = conso[3]!.replace(/^11170\|/, '11x70|');
    writeFileSync(path.join(bad, 'RXNCONSO.RRF'), conso.join('\n'));
    const missing = await runImport(rrf, bad);
    expect(missing.error?.file).toBe(path.join(bad, 'RXNREL.RRF'));
    expect(missing.error?.reason).toBe("missing RXNREL.RRF (an RxNorm release's rrf directory)");

    copyFileSync(path.join(dir, 'RXNREL.RRF'), path.join(bad, 'RXNREL.RRF'));
    const run = await runImport(rrf, bad);
    expect(run.records).toEqual([]);
    expect([run.error?.file, run.error?.line, run.error?.reason]).toEqual([
      path.join(bad, 'RXNCONSO.RRF'),
      4,
      'RXCUI "11x70" is not an RxCUI (1-9 digits)',
    ]);

    const rel = readFileSync(path.join(dir, 'RXNREL.RRF'), 'utf8').split('\n');
    rel[1] = rel[1]!.replace(/\|N\|\|$/, '|');
    writeFileSync(path.join(bad, 'RXNCONSO.RRF'), readFileSync(path.join(dir, 'RXNCONSO.RRF')));
    writeFileSync(path.join(bad, 'RXNREL.RRF'), rel.join('\n'));
    const short = await runImport(rrf, bad);
    expect([short.error?.file, short.error?.line, short.error?.reason]).toEqual([
      path.join(bad, 'RXNREL.RRF'),
      2,
      'expected 16 fields, found 14',
    ]);
  });

  it('fixture rule: every RxCUI below 900000000 is a knowledge-base code with its real name and TTY', () => {
    const known = new Map<string, { name: string; tty: string }>(
      [...kbIngredients, ...kbProducts].map((c) => [c.rxcui, c]),
    );
    const conso = readFileSync(path.join(dir, 'RXNCONSO.RRF'), 'utf8').trim().split('\n');
    let checked = 0;
    for (const line of conso) {
      const f = line.split('|');
      const [rxcui, tty, str] = [f[0]!, f[12]!, f[14]!];
      if (Number(rxcui) >= 900_000_000 || tty === 'SY') continue;
      expect({ rxcui, name: str, tty }).toEqual({ rxcui, name: known.get(rxcui)?.name, tty: known.get(rxcui)?.tty });
      checked++;
    }
    expect(checked).toBe(15);
  });
});

describe('DDInter importer (format ddinter)', () => {
  const ddinter = IMPORTERS['ddinter']!;

  it('maps names to IN codes, skips unknown names, Unknown levels and repeats, and stops on a contradiction', async () => {
    const file = fixture('ddinter.csv');
    const run = await runImport(ddinter, file);
    expect(
      run.records.map((r) => [
        r.kind,
        r.line,
        (r.value as { id: string }).id,
        (r.value as { severity: string }).severity,
      ]),
    ).toEqual([
      ['interaction', 2, 'ddinter-ddinter900001-ddinter900002', 'major'],
      ['interaction', 3, 'ddinter-ddinter900003-ddinter900004', 'moderate'],
      ['interaction', 4, 'ddinter-ddinter900005-ddinter900006', 'minor'],
    ]);
    expect(run.records[0]!.value).toEqual({
      id: 'ddinter-ddinter900001-ddinter900002',
      title: 'Simvastatin and Clarithromycin (DDInter)',
      a: { label: 'Simvastatin', ingredients: ['36567'], classes: [], forms: 'systemic' }, // DDInter states no route
      b: { label: 'Clarithromycin', ingredients: ['21212'], classes: [], forms: 'systemic' },
      severity: 'major',
      mechanism: DDINTER_TEXT.mechanism,
      effect: DDINTER_TEXT.effect,
      management: DDINTER_TEXT.management,
      evidence: 'suspected',
      citations: [{ source: 'DDInter (imported by this site)', url: 'https://ddinter.scbdd.com/' }],
      alternatives: [],
      review: { status: 'unreviewed' },
    });
    expect(DDINTER_CITATION).toEqual({ source: 'DDInter (imported by this site)', url: 'https://ddinter.scbdd.com/' });
    expect(run.records[2]!.value).toMatchObject({ a: { ingredients: ['7646'] }, b: { ingredients: ['24947'] } });
    expect(run.skipped).toEqual([
      { line: 5, reason: '"Zzsyntheticol" not in the knowledge base (no RxNorm ingredient by that name)' },
      { line: 6, reason: 'Phenelzine / Fluoxetine: level Unknown, DDInter gives no severity for this pair' },
      { line: 7, reason: 'repeats the pair DDInter900002/DDInter900001 of line 2' },
    ]);
    expect([run.error?.file, run.error?.line]).toEqual([file, 8]);
    expect(run.error?.reason).toBe(
      'the pair DDInter900004/DDInter900003 has level Minor here but Moderate on line 3: lines 3 and 8 contradict each other',
    );
  });

  it('refuses a level outside Major, Moderate, Minor, Unknown and a wrong header', async () => {
    const level = await runImport(
      ddinter,
      tmpFile('DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\nD1,Warfarin,D2,Fluoxetine,Severe\n'),
    );
    expect([level.error?.line, level.error?.reason]).toEqual([
      2,
      'Level "Severe" is not one of Major, Moderate, Minor, Unknown',
    ]);
    const header = await runImport(ddinter, tmpFile('DDInterID_A,Drug_A,DDInterID_B,Drug_B,Severity\n'));
    expect([header.error?.line, header.error?.reason]).toEqual([
      1,
      'bad header: missing column: Level; unknown column: Severity (expected columns: DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level)',
    ]);
  });
});

describe('importer registry', () => {
  it('lists the three formats', () => {
    expect(Object.keys(IMPORTERS).sort()).toEqual(['csv', 'ddinter', 'rxnorm-rrf']);
    for (const [name, importer] of Object.entries(IMPORTERS)) expect(importer.format).toBe(name);
    expect(listFormats().map((f) => f.format)).toEqual(['csv', 'ddinter', 'rxnorm-rrf']);
    expect(listFormats().every((f) => f.description.length > 20)).toBe(true);
  });
});
