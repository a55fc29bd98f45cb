/**
 * `cds kb validate` (src/knowledge/validate.ts) and the JSON line finder it uses (src/knowledge/json-locations.ts).
 * Broken knowledge bases are the directories of test/fixtures/kb-broken/ (see its README.md).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { JsonSyntaxError, jsonLocations, scanJson } from '../../../src/knowledge/json-locations.js';
import {
  formatPath,
  loincCheckDigit,
  validateKnowledgeDir,
  type ValidationProblem,
} from '../../../src/knowledge/validate.js';
import { loadKnowledgeSources } from '../../../src/knowledge/load-sources.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const KB = path.join(ROOT, 'knowledge-base');
const BROKEN = path.join(ROOT, 'test', 'fixtures', 'kb-broken');
const HP = 'interactions/onc-high-priority.json';

const problemsOf = (name: string) => validateKnowledgeDir(path.join(BROKEN, name)).problems;
const problem = (p: Omit<ValidationProblem, 'file'> & { file?: string }): ValidationProblem => ({ file: HP, ...p });

describe('validateKnowledgeDir on the bundled knowledge base', () => {
  const report = validateKnowledgeDir(KB);

  it('finds no problem in the 19 files and checks every code against knowledge-base/reference', () => {
    expect(report.problems).toEqual([]);
    expect(report.referenceDir).toBe(path.join(KB, 'reference'));
    expect(report.files).toEqual([
      'ingredients.json',
      'products.json',
      'classes.json',
      'observations.json',
      'interactions/onc-high-priority.json',
      'interactions/onc-low-priority.json',
      'interactions/pharmacodynamic.json',
      'interactions/pharmacokinetic.json',
      'policies/pharmacist.json',
      'policies/prescriber.json',
      'dose-rules/analgesics-and-rheumatology.json',
      'dose-rules/anti-infectives.json',
      'dose-rules/cardiometabolic.json',
      'dose-rules/high-alert.json',
      'dose-rules/neuro-psych.json',
      'dose-rules/opioids.json',
      'dose-rules/other.json',
      'allergy-groups.json',
      'duplicate-therapy.json',
    ]);
    expect(report.counts).toMatchObject({
      files: 19,
      ingredients: 2765,
      products: 18855,
      classes: 74,
      interactions: 340,
      observations: 7,
      policies: 2,
      doseRules: 214,
      codesChecked: 18855 + 2765,
      loincCodes: 19,
      problems: 0,
    });
  });

  it('computes the checksum the loader computes', () => {
    expect(report.checksum).toBe(loadKnowledgeSources(KB).checksum);
  });

  it('notes the overlaps between different source rows for review, without failing', () => {
    // Each is the same drug pair under two mechanisms (e.g. QT prolongation and CYP3A4 inhibition, or serotonin
    // toxicity and CYP2D6), shown on one card at the higher severity. ACE inhibitors with salicylates (#1, minor) vs
    // with NSAIDs (#33, moderate): aspirin and salsalate are on both — the same renal-prostaglandin mechanism.
    expect(report.notes.map((n) => [n.file, n.path])).toEqual([
      ['interactions/onc-low-priority.json', 'interactions[2].a.ingredients[14]'],
      ['interactions/onc-low-priority.json', 'interactions[32].b.ingredients[0]'],
      ['interactions/pharmacodynamic.json', 'interactions[40].a.ingredients[2]'],
      ['interactions/pharmacokinetic.json', 'interactions[10].a.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[14].a.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[24].a.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[114].b.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[117].a.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[122].a.ingredients[0]'],
      ['interactions/pharmacokinetic.json', 'interactions[162].a.ingredients[0]'],
      // oral midazolam: contraindicated with these four (oral form only), major with every strong inhibitor
      ['interactions/pharmacokinetic.json', 'interactions[165].b.ingredients[3]'],
    ]);
    expect(report.notes[0]!.message).toMatch(
      /^1 pair also in onc-hp-21-qt-qt \(.*\), major there and moderate here \(sotalol \+ citalopram\)/,
    );
    expect(report.notes[1]!.message).toMatch(
      /^22 pairs also in onc-lp-01-ace-inhibitors-salicylates \(.*\), minor there and moderate here/,
    );
    expect(report.notes[6]!.message).toMatch(
      /^2 pairs also in pd-tramadol-ssri-snri \(.*\), major there and moderate here \(tramadol \+ fluoxetine, tramadol \+ paroxetine\)/,
    );
  });
});

describe('validateKnowledgeDir on broken knowledge bases (test/fixtures/kb-broken)', () => {
  it('the clean fixture has no problem and no note', () => {
    const report = validateKnowledgeDir(path.join(BROKEN, 'clean'));
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual([]);
    expect(report.counts).toMatchObject({
      files: 6,
      ingredients: 11,
      products: 7,
      classes: 1,
      interactions: 2,
      observations: 1,
      policies: 1,
      codesChecked: 18,
    });
    expect(report.referenceDir).toBe(path.join(KB, 'reference'));
  });

  it('a JSON syntax error: the line where the parser stops', () => {
    expect(problemsOf('json-syntax')).toEqual([
      problem({
        line: 76,
        column: 7,
        path: '',
        rule: 'json',
        message: `invalid JSON: expected ',' or '}' after a property value, found '"'`,
      }),
    ]);
  });

  it('a wrong severity', () => {
    expect(problemsOf('wrong-severity')).toEqual([
      problem({
        line: 75,
        column: 19,
        path: 'interactions[1].severity',
        rule: 'schema',
        message: 'Invalid option: expected one of "contraindicated"|"major"|"moderate"|"minor" (found "severe")',
      }),
    ]);
  });

  it('an interaction side that does not state its routes, at the side', () => {
    expect(problemsOf('side-without-forms')).toEqual([
      problem({
        line: 66,
        column: 12,
        path: 'interactions[1].b.forms',
        rule: 'schema',
        message:
          'a side must state which routes count: "forms" is one of "systemic", "oral", "systemic-or-inhaled" or "any"',
      }),
    ]);
  });

  it('an unknown class', () => {
    expect(problemsOf('unknown-class')).toEqual([
      problem({
        line: 72,
        column: 11,
        path: 'interactions[1].b.classes[0]',
        rule: 'reference',
        message: 'class "cyp1a2-inhibitors" is not defined in classes.json',
      }),
    ]);
  });

  it('an RxCUI that is in no reference source', () => {
    expect(problemsOf('rxcui-not-in-reference')).toEqual([
      problem({
        file: 'ingredients.json',
        line: 137,
        column: 16,
        path: 'ingredients[11].rxcui',
        rule: 'code',
        message:
          'RxCUI 987654321 ("baclofen") is in none of the reference sources (RxNorm 2025 extract, NDF-RT 2014, FDA UNII 2014, common drugs)',
      }),
    ]);
  });

  it('a code whose name differs from RxNorm', () => {
    expect(problemsOf('name-differs')).toEqual([
      problem({
        file: 'ingredients.json',
        line: 61,
        column: 15,
        path: 'ingredients[4].name',
        rule: 'code',
        message: 'RxNorm 2025 names RxCUI 2541 "cimetidine", not "cimetadine"',
      }),
    ]);
  });

  it('a duplicate pair: same sides, same severity', () => {
    expect(problemsOf('duplicate-pair')).toEqual([
      problem({
        line: 113,
        column: 11,
        path: 'interactions[2].b.ingredients[0]',
        rule: 'duplicate',
        message:
          'duplicates onc-hp-28-tizanidine-other-cyp1a2-inhibitors (interactions/onc-high-priority.json:57): 1 pair with the same sides and the same severity (major): tizanidine + cimetidine',
      }),
    ]);
  });

  it('a contradictory pair: a member in both halves of a split source row', () => {
    expect(problemsOf('contradictory-pair')).toEqual([
      problem({
        line: 70,
        column: 11,
        path: 'interactions[1].b.ingredients[1]',
        rule: 'contradiction',
        message:
          'contradicts onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine (interactions/onc-high-priority.json:14): 1 pair is major here and contraindicated there (tizanidine + fluvoxamine); both split source row onc-hp-28, so each member belongs in one of them',
      }),
    ]);
  });

  it('an interaction citation with only a source string', () => {
    expect(problemsOf('citation-source-only')).toEqual([
      problem({
        line: 45,
        column: 9,
        path: 'interactions[0].citations[1]',
        rule: 'citation',
        message: 'a citation needs a doi, pmid, setId or url',
      }),
    ]);
  });

  it('an interaction without management text (at the entry, as the property is absent)', () => {
    expect(problemsOf('missing-management')).toEqual([
      problem({
        line: 56,
        column: 5,
        path: 'interactions[1].management',
        rule: 'citation',
        message: '"management" is missing (string required)',
      }),
    ]);
  });

  it('an overlap between different source rows is a note, not a problem', () => {
    const report = validateKnowledgeDir(path.join(BROKEN, 'overlap-between-rows'));
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual([
      {
        file: HP,
        line: 113,
        column: 11,
        path: 'interactions[2].b.ingredients[0]',
        message:
          '1 pair also in onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine (interactions/onc-high-priority.json:14), contraindicated there and moderate here (tizanidine + ciprofloxacin): different source rows may be different interactions; if these are the same interaction, make the severities agree',
      },
    ]);
  });

  it('several problems come sorted by file and line, with counts by rule', () => {
    const report = validateKnowledgeDir(path.join(BROKEN, 'mixed'));
    expect(report.problems.map((p) => `${p.file}:${p.line}: ${p.path} [${p.rule}]`)).toEqual([
      'ingredients.json:61: ingredients[4].name [code]',
      'interactions/onc-high-priority.json:30: interactions[0].b.classes[0] [reference]',
      'interactions/onc-high-priority.json:77: interactions[1].severity [schema]',
    ]);
    expect(report.counts.problemsByRule).toEqual({
      json: 0,
      schema: 1,
      citation: 0,
      reference: 1,
      duplicate: 0,
      code: 1,
      contradiction: 0,
    });
  });

  describe('in a scratch copy of the clean fixture', () => {
    const scratch = (edit: (dir: string) => void) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kb-validate-'));
      cpSync(path.join(BROKEN, 'clean'), dir, { recursive: true });
      edit(dir);
      try {
        return validateKnowledgeDir(dir).problems;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('a dose cap naming an ingredient that is not on its side, or a partner not on the other side', () => {
      const file = path.join('interactions', 'onc-high-priority.json');
      const problems = scratch((dir) => {
        const text = readFileSync(path.join(dir, file), 'utf8').replace(
          '"label": "Tizanidine", "forms": "systemic",',
          '"label": "Tizanidine", "forms": "systemic", "doseCaps": [{ "ingredient": "cimetidine", "with": ["amoxicillin"], "perDayMax": 4, "unit": "mg", "note": "a test cap, not a label fact" }],',
        );
        writeFileSync(path.join(dir, file), text);
      });
      expect(problems.map((p) => [p.file, p.line, p.path, p.rule, p.message])).toEqual([
        [
          HP,
          17,
          'interactions[0].a.doseCaps[0].ingredient',
          'reference',
          'dose cap: cimetidine is not a member of side a',
        ],
        [
          HP,
          17,
          'interactions[0].a.doseCaps[0].with[0]',
          'reference',
          'dose cap: amoxicillin is not a member of the other side',
        ],
      ]);
    });

    it('a missing required file has no line', () => {
      expect(scratch((dir) => rmSync(path.join(dir, 'observations.json')))).toEqual([
        {
          file: 'observations.json',
          line: 0,
          column: 0,
          path: '',
          rule: 'json',
          message: 'missing: the loader requires this file',
        },
      ]);
    });

    it('a repeated key, a malformed DOI and a raise reading an undefined observation', () => {
      const policy = {
        id: 'site',
        description: 'Test policy with a raise on an unknown observation.',
        indicatorBySeverity: { contraindicated: 'critical', major: 'warning', moderate: 'info', minor: 'suppress' },
        oncHighPriorityMinimum: 'warning',
        oncLowPriorityMaximum: 'info',
        contextRaises: [
          {
            interaction: 'onc-hp-28-tizanidine-other-cyp1a2-inhibitors',
            observation: 'heart-rate',
            below: 50,
            indicator: 'critical',
            note: 'Bradycardia already present.',
            citations: [{ source: 'A paper', doi: 'doi:10.1000/x' }],
          },
        ],
      };
      const text = JSON.stringify(policy, null, 2).replace('"id": "site",', '"id": "site",\n  "id": "site",');
      const problems = scratch((dir) => writeFileSync(path.join(dir, 'policies', 'site.json'), text));
      expect(problems).toEqual([
        {
          file: 'policies/site.json',
          line: 3,
          column: 9,
          path: 'id',
          rule: 'json',
          message: 'key "id" repeats one at line 2; JSON.parse keeps only this later value',
        },
        {
          file: 'policies/site.json',
          line: 16,
          column: 22,
          path: 'contextRaises[0].observation',
          rule: 'reference',
          message: 'raise reads observation "heart-rate", which observations.json does not define',
        },
        {
          file: 'policies/site.json',
          line: 23,
          column: 18,
          path: 'contextRaises[0].citations[0].doi',
          rule: 'citation',
          message: '"doi:10.1000/x" is not a DOI (10.NNNN/…)',
        },
      ]);
    });
  });
});

describe('helpers', () => {
  it('formatPath writes paths as the report shows them', () => {
    expect(formatPath(['interactions', 4, 'severity'])).toBe('interactions[4].severity');
    expect(formatPath(['interactions', 0, 'a', 'washoutByIngredient', '4493'])).toBe(
      'interactions[0].a.washoutByIngredient["4493"]',
    );
    expect(formatPath([])).toBe('');
  });

  it('loincCheckDigit is the LOINC mod-10 check digit', () => {
    expect(
      ['2160-0', '2823-3', '29463-7', '33914-3', '6301-6', '38483-4'].every(
        (c) => String(loincCheckDigit(c.split('-')[0]!)) === c.split('-')[1],
      ),
    ).toBe(true);
    expect(loincCheckDigit('2823')).not.toBe(4);
  });
});

describe('jsonLocations', () => {
  it('finds where values start in nested objects and arrays', () => {
    const text = '{\n  "a": [\n    1,\n    { "b": [true, null] }\n  ],\n  "c": "x"\n}\n';
    const at = jsonLocations(text);
    expect(at([])).toEqual({ line: 1, column: 1, offset: 0 });
    expect(at(['a'])).toMatchObject({ line: 2, column: 8 });
    expect(at(['a', 0])).toMatchObject({ line: 3, column: 5 });
    expect(at(['a', 1, 'b'])).toMatchObject({ line: 4, column: 12 });
    expect(at(['a', 1, 'b', 1])).toMatchObject({ line: 4, column: 19 });
    expect(at(['c'])).toMatchObject({ line: 6, column: 8 });
  });

  it('a path that does not exist resolves to its nearest existing ancestor', () => {
    const scan = scanJson('{\n  "list": [\n    {\n      "x": 1\n    }\n  ]\n}');
    expect(scan.locate(['list', 0, 'missing'])).toMatchObject({ line: 3, column: 5 });
    expect(scan.locate(['list', 7])).toMatchObject({ line: 2, column: 11 });
    expect(scan.has(['list', 0, 'x'])).toBe(true);
    expect(scan.has(['list', 0, 'missing'])).toBe(false);
  });

  it('reads keys with escapes, and strings containing quotes, brackets and backslashes do not confuse it', () => {
    const text = '{"q\\"uote": "}]\\\\\\"", "caf\\u00e9": [1],\n "tab\\tkey": {"\\ud83d\\ude00": 2}, "z": 3}';
    expect(JSON.parse(text)).toBeTruthy();
    const at = jsonLocations(text);
    expect(at(['q"uote'])).toMatchObject({ line: 1, column: 13 });
    expect(at(['café'])).toMatchObject({ line: 1, column: 36 });
    expect(at(['café', 0])).toMatchObject({ line: 1, column: 37 });
    expect(at(['tab\tkey', '😀'])).toMatchObject({ line: 2, column: 31 });
    expect(at(['z'])).toMatchObject({ line: 2, column: 40 });
  });

  it('counts columns in code points, so characters beyond the BMP are one column, and lines end at LF, CRLF or CR', () => {
    const text = '{"e": "😀😀", "f": 1,\r\n"g": "é",\r"h": 2}';
    const at = jsonLocations(text);
    expect(at(['f'])).toEqual({ line: 1, column: 18, offset: 19 });
    expect(at(['g'])).toMatchObject({ line: 2, column: 6 });
    expect(at(['h'])).toMatchObject({ line: 3, column: 6 });
  });

  it('maps zod issue paths to lines', () => {
    const text = JSON.stringify({ items: [{ n: 1 }, { n: 'two' }, { n: 3 }] }, null, 2);
    const parsed = z.object({ items: z.array(z.object({ n: z.number() })) }).safeParse(JSON.parse(text));
    expect(parsed.success).toBe(false);
    const at = jsonLocations(text);
    expect(parsed.error!.issues.map((i) => at(i.path).line)).toEqual([7]);
    expect(text.split('\n')[6]).toBe('      "n": "two"');
  });

  it('reports repeated keys, keeping the later value as JSON.parse does', () => {
    const scan = scanJson('{\n "a": {"x": 1},\n "a": {"y": 2}\n}');
    expect(scan.duplicateKeys).toEqual([
      { path: ['a'], location: { line: 3, column: 7, offset: 24 }, first: { line: 2, column: 7, offset: 8 } },
    ]);
    expect(scan.has(['a', 'y'])).toBe(true);
    expect(scan.has(['a', 'x'])).toBe(false);
  });

  it('gives the line and column of a syntax error', () => {
    const error = (text: string) => {
      try {
        scanJson(text);
      } catch (err) {
        expect(err).toBeInstanceOf(JsonSyntaxError);
        const e = err as JsonSyntaxError;
        return `${e.location.line}:${e.location.column} ${e.reason}`;
      }
      return 'no error';
    };
    expect(error('{\n  "a": 1,\n  "b": 2,\n}')).toBe(`4:1 expected a property name in double quotes, found '}'`);
    expect(error('[1, 2,]')).toBe(`1:7 expected a value, found ']'`);
    expect(error('{"a": 1\n "b": 2}')).toBe(`2:2 expected ',' or '}' after a property value, found '"'`);
    expect(error('{"a": "😀\nb"}')).toBe(
      '1:9 control character U+000A in a string (write it as an escape such as \\n)',
    );
    expect(error('{"a": "abc')).toBe('1:7 unterminated string (no closing ")');
    expect(error('{"a": "\\x"}')).toBe('1:8 invalid escape \\x in a string');
    expect(error('{"a": "\\u12G4"}')).toBe('1:8 invalid \\u escape in a string (four hex digits needed)');
    expect(error('{"a": 01}')).toBe(`1:8 invalid number, found '1'`);
    expect(error('{"a": tru}')).toBe(`1:7 expected a value, found 't'`);
    expect(error('{"a": 1} x')).toBe(`1:10 unexpected 'x' after the JSON value`);
    expect(error('')).toBe('1:1 expected a value, found end of input');
    expect(error('\uFEFF{}')).toBe('1:1 expected a value, found a byte-order mark (U+FEFF)');
    expect(error('{"a" 1}')).toBe(`1:6 expected ':' after a property name, found '1'`);
  });

  it('accepts exactly what JSON.parse accepts', () => {
    const samples = [
      '0',
      '-0',
      '1.5e+3',
      '-1E-2',
      '1.',
      '.5',
      '+1',
      '1e',
      '0x10',
      '00',
      '"\\u00e9"',
      '"\\/"',
      '"\u2028"',
      '"\t"',
      '"\u007f"',
      '"\\ud800"',
      '[]',
      '{}',
      '[[]]',
      '{"a":{}}',
      '[1,]',
      '{"a":1,}',
      '[,1]',
      'nul',
      'true ',
      ' \r\n\t[1]',
      '[1]\u00a0',
      "'a'",
      '{a:1}',
      '[1 2]',
      '"a"b',
      'NaN',
      'Infinity',
      '-',
      '"\\',
      '{"a":1}{}',
      '{"__proto__": 1}',
      '[true, false, null]',
    ];
    for (const s of samples) {
      let parses = true;
      try {
        JSON.parse(s);
      } catch {
        parses = false;
      }
      let scans = true;
      try {
        scanJson(s);
      } catch (err) {
        expect(err, s).toBeInstanceOf(JsonSyntaxError);
        scans = false;
      }
      expect(scans, JSON.stringify(s)).toBe(parses);
    }
  });
});
