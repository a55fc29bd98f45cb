/**
 * Where things are in a JSON text: a small strict JSON scanner (RFC 8259, the grammar JSON.parse accepts) that
 * records the line and column at which every value starts, keyed by its path, so that a problem reported against
 * a parsed value (a zod issue path such as ["interactions", 4, "severity"]) can point at a line of the file.
 *
 * Lines are 1-based and end at "\n", "\r\n" or "\r". Columns are 1-based and count Unicode code points, so a
 * character outside the Basic Multilingual Plane (a surrogate pair in the JavaScript string) is one column.
 * `offset` is the UTF-16 index in the text.
 */

export interface JsonLocation {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A path as zod reports it: object keys and array indices. */
export type JsonPath = readonly PropertyKey[];

export class JsonSyntaxError extends SyntaxError {
  constructor(
    readonly reason: string,
    readonly location: JsonLocation,
  ) {
    super(`${reason} at line ${location.line}, column ${location.column}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface DuplicateKey {
  /** Path of the repeated key's value (the one JSON.parse keeps). */
  readonly path: readonly string[];
  readonly location: JsonLocation;
  /** Where the earlier value, which JSON.parse drops, started. */
  readonly first: JsonLocation;
}

export interface JsonScan {
  /**
   * Where the value at `path` starts. A path that does not exist (a missing property zod complains about)
   * resolves to its nearest existing ancestor, so the answer is always a place in the file.
   */
  locate(path: JsonPath): JsonLocation;
  /** Whether a value exists at exactly this path. */
  has(path: JsonPath): boolean;
  /** Object keys that occur twice in one object (JSON.parse silently keeps the last). */
  readonly duplicateKeys: readonly DuplicateKey[];
}

/** The lookup function for a JSON text: path → where that value starts. Throws JsonSyntaxError on invalid JSON. */
export function jsonLocations(text: string): (path: JsonPath) => JsonLocation {
  const scan = scanJson(text);
  return (path) => scan.locate(path);
}

const MAX_DEPTH = 512;

const keyOf = (parentKey: string, segment: PropertyKey): string => `${parentKey},${JSON.stringify(String(segment))}`;

/** Scans `text` (throws JsonSyntaxError where it is not valid JSON) and indexes where every value starts. */
export function scanJson(text: string): JsonScan {
  /** Where each value starts: its line and the offset of that line's first character, so columns are lazy. */
  const starts = new Map<string, Mark>();
  const duplicateKeys: DuplicateKey[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0; // offset of the first character of the current line

  const mark = (): Mark => ({ line, lineStart, offset: pos });
  const here = (): JsonLocation => toLocation(text, mark());

  const describe = (offset: number): string => {
    if (offset >= text.length) return 'end of input';
    const cp = text.codePointAt(offset)!;
    if (cp < 0x20 || cp === 0x7f) return `control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    if (cp === 0xfeff) return 'a byte-order mark (U+FEFF)';
    return `'${String.fromCodePoint(cp)}'`;
  };
  const fail = (reason: string, at: JsonLocation = here()): never => {
    throw new JsonSyntaxError(reason, at);
  };
  const expected = (what: string): never => fail(`expected ${what}, found ${describe(pos)}`);

  const skipWhitespace = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09) pos++;
      else if (c === 0x0a) {
        pos++;
        line++;
        lineStart = pos;
      } else if (c === 0x0d) {
        pos++;
        if (text.charCodeAt(pos) === 0x0a) pos++;
        line++;
        lineStart = pos;
      } else return;
    }
  };

  const HEX = /^[0-9a-fA-F]{4}$/;
  /** Reads a string starting at the opening quote; returns its value. */
  const readString = (): string => {
    const open = here();
    pos++; // opening quote
    let value = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string (no closing ")', open);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        value += text.slice(chunkStart, pos);
        pos++;
        return value;
      }
      if (c < 0x20) fail(`${describe(pos)} in a string (write it as an escape such as \\n)`);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      value += text.slice(chunkStart, pos);
      const esc = text[pos + 1];
      switch (esc) {
        case '"':
        case '\\':
        case '/':
          value += esc;
          pos += 2;
          break;
        case 'b':
          value += '\b';
          pos += 2;
          break;
        case 'f':
          value += '\f';
          pos += 2;
          break;
        case 'n':
          value += '\n';
          pos += 2;
          break;
        case 'r':
          value += '\r';
          pos += 2;
          break;
        case 't':
          value += '\t';
          pos += 2;
          break;
        case 'u': {
          const hex = text.slice(pos + 2, pos + 6);
          if (!HEX.test(hex)) fail('invalid \\u escape in a string (four hex digits needed)');
          value += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
          break;
        }
        default:
          if (esc === undefined) fail('unterminated string (no closing ")', open);
          fail(
            `invalid escape \\${esc === undefined ? '' : String.fromCodePoint(text.codePointAt(pos + 1)!)} in a string`,
          );
      }
      chunkStart = pos;
    }
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const readNumber = () => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m) return expected('a value');
    const end = pos + m[0].length;
    // "01", "1.", "1e", "-" followed by junk: the regex stops early; the next character tells
    const next = text[end];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) {
      pos = end;
      return fail(`invalid number, found ${describe(pos)}`);
    }
    pos = end;
  };

  const readLiteral = (word: string) => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return;
    }
    expected('a value');
  };

  const readValue = (key: string, depth: number): void => {
    skipWhitespace();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    starts.set(key, mark());
    const c = text[pos];
    if (c === '{') readObject(key, depth);
    else if (c === '[') readArray(key, depth);
    else if (c === '"') readString();
    else if (c === 't') readLiteral('true');
    else if (c === 'f') readLiteral('false');
    else if (c === 'n') readLiteral('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) readNumber();
    else expected('a value');
  };

  const readObject = (key: string, depth: number) => {
    pos++; // {
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    const seen = new Map<string, Mark>();
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"')
        expected(seen.size === 0 ? "a property name in double quotes or '}'" : 'a property name in double quotes');
      const name = readString();
      skipWhitespace();
      if (text[pos] !== ':') expected("':' after a property name");
      pos++;
      const childKey = keyOf(key, name);
      const earlier = seen.get(name);
      if (earlier) {
        // JSON.parse keeps the later value: forget what was recorded inside the earlier one
        for (const k of starts.keys()) if (k.startsWith(`${childKey},`)) starts.delete(k);
      }
      readValue(childKey, depth + 1);
      const at = starts.get(childKey)!;
      if (earlier)
        duplicateKeys.push({
          path: pathOf(childKey),
          location: toLocation(text, at),
          first: toLocation(text, earlier),
        });
      seen.set(name, at);
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      expected("',' or '}' after a property value");
    }
  };

  const readArray = (key: string, depth: number) => {
    pos++; // [
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (let index = 0; ; index++) {
      readValue(keyOf(key, index), depth + 1);
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      expected("',' or ']' after an array element");
    }
  };

  readValue('', 0);
  skipWhitespace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);

  const lookupKey = (path: JsonPath): { key: string; depth: number } => {
    let key = '';
    let depth = 0;
    for (const segment of path) {
      const next = keyOf(key, segment);
      if (!starts.has(next)) break;
      key = next;
      depth++;
    }
    return { key, depth };
  };
  return {
    locate: (path) => toLocation(text, starts.get(lookupKey(path).key)!),
    has: (path) => lookupKey(path).depth === path.length,
    duplicateKeys,
  };
}

interface Mark {
  readonly line: number;
  readonly lineStart: number;
  readonly offset: number;
}

/** The column of a mark: code points from the start of its line (a surrogate pair is one column). */
function toLocation(text: string, { line, lineStart, offset }: Mark): JsonLocation {
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    const c = text.charCodeAt(i);
    const lowHalfOfPair = c >= 0xdc00 && c <= 0xdfff && i > lineStart && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
    if (!lowHalfOfPair) column++;
  }
  return { line, column, offset };
}

/** Inverse of keyOf for reporting: the segments of a recorded key (array indices come back as strings). */
function pathOf(key: string): string[] {
  return key === '' ? [] : (JSON.parse(`[${key.slice(1)}]`) as string[]);
}
