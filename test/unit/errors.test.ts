/**
 * The error catalogue and its documentation stay in step: every code in src/errors.ts has a row in the catalogue
 * table of src/http/README.md with the same status, and the README names no code the service does not have.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, errorBody, errors } from '../../src/errors.js';

const README = readFileSync(new URL('../../src/http/README.md', import.meta.url), 'utf8');
/** `| \`CDS_ERR_X\` | 404 | meaning | what to do |` */
const ROW = /^\|\s*`(CDS_ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*([^|]*\S)\s*\|\s*([^|]*\S)\s*\|$/gm;
const rows = [...README.matchAll(ROW)].map((m) => ({ code: m[1]!, status: Number(m[2]) }));
const codes = Object.keys(CATALOGUE) as (keyof typeof CATALOGUE)[];

describe('the error catalogue in src/http/README.md', () => {
  it('has one row per code of src/errors.ts, with its status, a meaning and what the caller should do', () => {
    expect(rows).toEqual(codes.map((code) => ({ code, status: CATALOGUE[code] })));
  });

  it('names no code that src/errors.ts does not have', () => {
    const named = new Set(README.match(/CDS_ERR_[A-Z_]+/g));
    expect([...named].filter((code) => !(code in CATALOGUE))).toEqual([]);
  });
});

describe('errors', () => {
  it('sends each code with its catalogue status and the {error, message} body', () => {
    const err = errors.forbidden();
    expect([err.statusCode, errorBody(err)]).toEqual([403, { error: 'CDS_ERR_FORBIDDEN', message: 'forbidden' }]);
    expect(errors.conflict('this knowledge store cannot switch versions').statusCode).toBe(409);
  });

  it('answers a missing prefetch key with 412 and an OperationOutcome', () => {
    const err = errors.prefetchRequired(['patient']);
    expect([err.statusCode, err.code, errorBody(err)]).toEqual([
      412,
      'CDS_ERR_PREFETCH_REQUIRED',
      {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'required',
            details: { text: 'prefetch key "patient" is required: send it in prefetch or give fhirServer' },
            expression: ['prefetch.patient'],
          },
        ],
      },
    ]);
  });
});
