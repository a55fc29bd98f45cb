/**
 * The one catalogue of HTTP errors the service answers with. Every 4xx the service sends is created here,
 * so codes and wording stay consistent. Dependency failures are never errors: they become cards.
 */
export type ErrorCode =
  | 'CDS_ERR_BAD_REQUEST'
  | 'CDS_ERR_INVALID_JSON'
  | 'CDS_ERR_JSON_TOO_DEEP'
  | 'CDS_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'CDS_ERR_BODY_TOO_LARGE'
  | 'CDS_ERR_UNKNOWN_SERVICE'
  | 'CDS_ERR_HOOK_NOT_SERVED'
  | 'CDS_ERR_PREFETCH_REQUIRED'
  | 'CDS_ERR_NOT_FOUND'
  | 'CDS_ERR_UNAUTHORIZED'
  | 'CDS_ERR_RATE_LIMITED'
  | 'CDS_ERR_INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** A body to send instead of the standard error body (412 sends an OperationOutcome). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (message: string) => new HttpError(400, 'CDS_ERR_BAD_REQUEST', message),
  invalidJson: (detail: string) =>
    new HttpError(400, 'CDS_ERR_INVALID_JSON', `request body is not valid JSON: ${detail}`),
  jsonTooDeep: (limit: number) =>
    new HttpError(400, 'CDS_ERR_JSON_TOO_DEEP', `request body is nested deeper than ${limit} levels`),
  unsupportedMediaType: (type: string) =>
    new HttpError(
      415,
      'CDS_ERR_UNSUPPORTED_MEDIA_TYPE',
      `content type ${type} is not supported; send application/json`,
    ),
  bodyTooLarge: (limit: number) =>
    new HttpError(413, 'CDS_ERR_BODY_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`),
  unknownService: (id: string) => new HttpError(404, 'CDS_ERR_UNKNOWN_SERVICE', `no CDS service with id "${id}"`),
  hookNotServed: (id: string, hook: string, served: readonly string[]) =>
    new HttpError(
      400,
      'CDS_ERR_HOOK_NOT_SERVED',
      `service "${id}" does not serve hook "${hook}" (it serves ${served.map((h) => `"${h}"`).join(', ')})`,
    ),
  /** CDS Hooks: a needed prefetch key is missing and there is no fhirServer to fetch it from. */
  prefetchRequired: (keys: readonly string[]) => {
    const message = `prefetch ${keys.length > 1 ? 'keys' : 'key'} ${keys.map((k) => `"${k}"`).join(', ')} missing and no fhirServer given to fetch ${keys.length > 1 ? 'them' : 'it'} from`;
    return new HttpError(412, 'CDS_ERR_PREFETCH_REQUIRED', message, {
      resourceType: 'OperationOutcome',
      issue: keys.map((key) => ({
        severity: 'error',
        code: 'required',
        details: { text: `prefetch key "${key}" is required: send it in prefetch or give fhirServer` },
        expression: [`prefetch.${key}`],
      })),
    });
  },
  notFound: (what: string) => new HttpError(404, 'CDS_ERR_NOT_FOUND', `${what} not found`),
  unauthorized: () => new HttpError(401, 'CDS_ERR_UNAUTHORIZED', 'unauthorized'),
} as const;

/** The JSON body of an error response (except 412, which is an OperationOutcome). */
export function errorBody(err: HttpError): { error: ErrorCode; message: string } {
  return { error: err.code, message: err.message };
}
