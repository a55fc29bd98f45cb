/**
 * JSON body parsing for CDS Hooks calls: application/json and application/fhir+json, a size limit (413)
 * and a nesting limit (400), so hostile bodies get a clear 4xx instead of exhausting the stack.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';

/** Deepest nesting of objects and arrays in a JSON text, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/** `\u0000` in JSON text, not preceded by an escaping backslash (`\\u0000` is a backslash and "u0000"). */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/i;

export function registerJsonParser(app: FastifyInstance, maxDepth: number): void {
  // Only JSON is accepted: fastify's own parsers (text/plain too) are replaced, so anything else is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/fhir+json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(errors.badRequest('request body is empty; send a JSON object'), undefined);
    if (jsonDepth(text) > maxDepth) return done(errors.jsonTooDeep(maxDepth), undefined);
    // No field of any request takes a NUL, and PostgreSQL text and jsonb refuse it: a 400 here, not a 500 later.
    if (ESCAPED_NUL.test(text))
      return done(
        errors.badRequest('request body contains a NUL character (\\u0000), which no field accepts'),
        undefined,
      );
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(errors.invalidJson((err as Error).message), undefined);
    }
  });
}
