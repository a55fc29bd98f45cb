/**
 * The one catalogue of HTTP errors the service answers with. Every error response is created here, so a code
 * always goes out with the same status and body shape; src/http/README.md says what each code means and what the
 * caller should do (a test keeps the two in step). Dependency failures are never errors: they become cards.
 */

/** Each code with its one HTTP status. */
export const CATALOGUE = {
  CDS_ERR_BAD_REQUEST: 400,
  CDS_ERR_INVALID_JSON: 400,
  CDS_ERR_JSON_TOO_DEEP: 400,
  CDS_ERR_HOOK_NOT_SERVED: 400,
  CDS_ERR_UNAUTHORIZED: 401,
  CDS_ERR_FORBIDDEN: 403,
  CDS_ERR_UNKNOWN_SERVICE: 404,
  CDS_ERR_NOT_FOUND: 404,
  CDS_ERR_CONFLICT: 409,
  CDS_ERR_PREFETCH_REQUIRED: 412,
  CDS_ERR_BODY_TOO_LARGE: 413,
  CDS_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  CDS_ERR_RATE_LIMITED: 429,
  CDS_ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof CATALOGUE;

export class HttpError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A body to send instead of the standard error body (412 sends an OperationOutcome). */
    readonly body?: unknown,
  ) {
    super(message);
    this.statusCode = CATALOGUE[code];
  }
}

export const errors = {
  badRequest: (message: string) => new HttpError('CDS_ERR_BAD_REQUEST', message),
  invalidJson: (detail: string) => new HttpError('CDS_ERR_INVALID_JSON', `request body is not valid JSON: ${detail}`),
  jsonTooDeep: (limit: number) =>
    new HttpError('CDS_ERR_JSON_TOO_DEEP', `request body is nested deeper than ${limit} levels`),
  unsupportedMediaType: (type: string) =>
    new HttpError('CDS_ERR_UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not supported; send application/json`),
  bodyTooLarge: (limit: number) =>
    new HttpError('CDS_ERR_BODY_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`),
  unknownService: (id: string) => new HttpError('CDS_ERR_UNKNOWN_SERVICE', `no CDS service with id "${id}"`),
  hookNotServed: (id: string, hook: string, served: readonly string[]) =>
    new HttpError(
      'CDS_ERR_HOOK_NOT_SERVED',
      `service "${id}" does not serve hook "${hook}" (it serves ${served.map((h) => `"${h}"`).join(', ')})`,
    ),
  /** CDS Hooks: a needed prefetch key is missing and there is no fhirServer to fetch it from. */
  prefetchRequired: (keys: readonly string[]) => {
    const message = `prefetch ${keys.length > 1 ? 'keys' : 'key'} ${keys.map((k) => `"${k}"`).join(', ')} missing and no fhirServer given to fetch ${keys.length > 1 ? 'them' : 'it'} from`;
    return new HttpError('CDS_ERR_PREFETCH_REQUIRED', message, {
      resourceType: 'OperationOutcome',
      issue: keys.map((key) => ({
        severity: 'error',
        code: 'required',
        details: { text: `prefetch key "${key}" is required: send it in prefetch or give fhirServer` },
        expression: [`prefetch.${key}`],
      })),
    });
  },
  notFound: (what: string) => new HttpError('CDS_ERR_NOT_FOUND', `${what} not found`),
  /** No detail on purpose: the log says why, the caller learns nothing that helps an attacker. */
  unauthorized: () => new HttpError('CDS_ERR_UNAUTHORIZED', 'unauthorized'),
  /** Authenticated, but none of the caller's roles may use the route. */
  forbidden: () => new HttpError('CDS_ERR_FORBIDDEN', 'forbidden'),
  /** A valid request that the service's current setup cannot carry out. */
  conflict: (message: string) => new HttpError('CDS_ERR_CONFLICT', message),
  rateLimited: (message: string) => new HttpError('CDS_ERR_RATE_LIMITED', message),
  /** The detail goes to the log, never to the caller. */
  internal: () => new HttpError('CDS_ERR_INTERNAL', 'internal error'),
} as const;

/** The JSON body of an error response: `{error, message}`, or the error's own body (412: an OperationOutcome). */
export function errorBody(err: HttpError): unknown {
  return err.body ?? { error: err.code, message: err.message };
}
