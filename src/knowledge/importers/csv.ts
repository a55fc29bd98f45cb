/**
 * Streaming readers for the importers' text formats: RFC 4180 CSV and NLM's pipe-delimited RRF.
 * Both read a file line by line (node:readline over a read stream), so a file of millions of rows never sits whole
 * in memory, and both report 1-based line numbers: a CSV record reports the line it starts on, even when a quoted
 * field carries embedded line breaks.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ImportError, type ImportContext } from '../import-record.js';

/** One CSV record: the line it starts on and its fields, unquoted. */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/**
 * One CSV record after the header was checked: `fields[i]` is the value of the i-th expected column, whatever the
 * order of the file's columns (an array, not an object keyed by name: at a million rows building objects costs).
 * Use `columnIndex` to address fields by name.
 */
export interface CsvColumnRow {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Column name → position in a CsvColumnRow's fields. */
export function columnIndex<C extends string>(columns: readonly C[]): Readonly<Record<C, number>> {
  return Object.fromEntries(columns.map((c, i) => [c, i])) as Record<C, number>;
}

/** One RRF row: its line and its fields (the trailing empty field after the last `|` removed). */
export interface RrfRow {
  readonly line: number;
  readonly fields: string[];
}

const BOM = '\uFEFF';

/** The lines of a file, streamed; `close` releases the file when a reader stops early. */
function openLines(file: string): { lines: AsyncIterable<string>; close(): void } {
  const stream = createReadStream(file, { encoding: 'utf8' });
  // crlfDelay: Infinity makes "\r\n" one line break wherever the chunk boundary falls.
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  return {
    lines,
    close() {
      lines.close();
      stream.destroy();
    },
  };
}

const stripBom = (text: string): string => (text.startsWith(BOM) ? text.slice(1) : text);

/**
 * The RFC 4180 state machine, fed one physical line at a time (so the readers stay a single async generator over
 * readline, which matters at a million rows). `push` returns a record's fields once the record is complete.
 */
class CsvParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false; // inside a quoted field
  private closed = false; // a quoted field just closed: only a comma or the end of the record may follow
  /** The line the current (or last completed) record started on. */
  start = 0;

  constructor(private readonly file: string) {}

  push(line: number, text: string): string[] | undefined {
    if (this.inQuotes) {
      this.field += '\n';
    } else {
      if (text === '') return undefined;
      this.start = line;
      // Fast path: a record on one line without quotes.
      if (!text.includes('"')) return text.split(',');
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charAt(i);
      if (this.inQuotes) {
        if (c === '"') {
          if (text.charAt(i + 1) === '"') {
            this.field += '"';
            i++;
          } else {
            this.inQuotes = false;
            this.closed = true;
          }
        } else {
          this.field += c;
        }
      } else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.closed = false;
      } else if (this.closed) {
        throw new ImportError(this.file, line, `text after the closing quote of field ${this.fields.length + 1}`);
      } else if (c === '"') {
        if (this.field !== '') {
          throw new ImportError(
            this.file,
            line,
            `a quote inside unquoted field ${this.fields.length + 1} (quote the whole field and double the quote)`,
          );
        }
        this.inQuotes = true;
      } else {
        this.field += c;
      }
    }
    if (this.inQuotes) return undefined;
    const fields = this.fields;
    fields.push(this.field);
    this.fields = [];
    this.field = '';
    this.closed = false;
    return fields;
  }

  /** At the end of the file: a quote must not be left open. */
  finish(): void {
    if (this.inQuotes)
      throw new ImportError(this.file, this.start, `a quoted field opened on line ${this.start} is never closed`);
  }
}

/**
 * Reads an RFC 4180 CSV file record by record: fields separated by `,`; a field may be quoted with `"`, and a
 * quoted field may hold commas, line breaks (returned as "\n") and doubled quotes (`""` → `"`). A UTF-8 byte order
 * mark and CRLF line ends are accepted. Lines that are entirely empty (outside quotes) are skipped. A stray quote
 * inside an unquoted field, text after a closing quote, or a quote left open at the end of the file throws an
 * ImportError with the line.
 */
export async function* readCsv(file: string): AsyncGenerator<CsvRow> {
  const parser = new CsvParser(file);
  const input = openLines(file);
  try {
    let line = 0;
    for await (const raw of input.lines) {
      line++;
      const fields = parser.push(line, line === 1 ? stripBom(raw) : raw);
      if (fields) yield { line: parser.start, fields };
    }
  } finally {
    input.close();
  }
  parser.finish();
}

/**
 * Checks a header against the expected column names (in any order). Throws ImportError on line 1 naming the
 * missing, unknown and repeated columns.
 */
export function checkHeader(file: string, header: readonly string[], expected: readonly string[]): void {
  const names = header.map((h) => h.trim());
  const missing = expected.filter((c) => !names.includes(c));
  const unknown = names.filter((c) => !expected.includes(c));
  const repeated = names.filter((c, i) => names.indexOf(c) !== i);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (unknown.length)
    problems.push(`unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((c) => c || '(empty)').join(', ')}`);
  if (repeated.length)
    problems.push(`repeated column${repeated.length > 1 ? 's' : ''}: ${[...new Set(repeated)].join(', ')}`);
  if (problems.length) {
    throw new ImportError(file, 1, `bad header: ${problems.join('; ')} (expected columns: ${expected.join(',')})`);
  }
}

/**
 * Reads a CSV file whose first record is a header naming exactly the expected columns (any order), and yields the
 * following records with their fields in the expected column order. A record with a different number of fields
 * throws ImportError.
 */
export async function* readCsvWithHeader(file: string, columns: readonly string[]): AsyncGenerator<CsvColumnRow> {
  const parser = new CsvParser(file);
  const input = openLines(file);
  let index: number[] | undefined;
  let inOrder = false;
  try {
    let line = 0;
    for await (const raw of input.lines) {
      line++;
      const fields = parser.push(line, line === 1 ? stripBom(raw) : raw);
      if (!fields) continue;
      if (!index) {
        checkHeader(file, fields, columns);
        const names = fields.map((h) => h.trim());
        index = columns.map((c) => names.indexOf(c));
        inOrder = index.every((p, i) => p === i);
        continue;
      }
      if (fields.length !== columns.length) {
        throw new ImportError(file, parser.start, `expected ${columns.length} fields, found ${fields.length}`);
      }
      yield { line: parser.start, fields: inOrder ? fields : index.map((p) => fields[p]!) };
    }
  } finally {
    input.close();
  }
  parser.finish();
  if (!index) throw new ImportError(file, 1, `the file is empty (expected a header: ${columns.join(',')})`);
}

/**
 * Reads an RRF file (NLM's Rich Release Format): one row a line, fields separated by `|`, every row ending in `|`,
 * no quoting. Each row must have exactly `columns` fields; empty lines are skipped.
 */
export async function* readRrf(file: string, columns: number): AsyncGenerator<RrfRow> {
  const input = openLines(file);
  try {
    let line = 0;
    for await (const text of input.lines) {
      line++;
      if (text === '') continue;
      if (!text.endsWith('|')) throw new ImportError(file, line, 'an RRF row ends with "|"');
      const fields = text.slice(0, -1).split('|');
      if (fields.length !== columns) {
        throw new ImportError(file, line, `expected ${columns} fields, found ${fields.length}`);
      }
      yield { line, fields };
    }
  } finally {
    input.close();
  }
}

/** How often importers report progress, in lines read. */
export const PROGRESS_EVERY = 10_000;

/**
 * A progress reporter: call it with the number of lines read so far; it calls `context.progress` each time that
 * number passes another multiple of PROGRESS_EVERY.
 */
export function progressReporter(context: ImportContext): (linesRead: number) => void {
  let next = PROGRESS_EVERY;
  return (linesRead) => {
    if (linesRead < next || !context.progress) return;
    context.progress(linesRead);
    next = (Math.floor(linesRead / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
  };
}

/** Splits a `;`-separated list field; empty items are dropped, so an empty field is an empty list. */
export function splitList(value: string): string[] {
  if (value === '') return [];
  const out: string[] = [];
  for (const item of value.split(';')) {
    const v = item.trim();
    if (v !== '') out.push(v);
  }
  return out;
}
