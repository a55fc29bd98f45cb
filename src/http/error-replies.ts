/**
 * Every error the service answers with leaves through here, as an entry of the catalogue in src/errors.ts: the
 * errors routes throw, fastify's own 4xx errors (body limits, content types, bad paths, schema validation), the
 * 404 for an unknown route and the 500 for a bug (whose detail goes only to the log).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifySchemaValidationError } from 'fastify';
import { HttpError, errorBody, errors } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';

export interface ErrorReplyOptions {
  readonly bodyLimitBytes: number;
  readonly metrics: Metrics;
}

/** Sets the error handler, the 404 handler and the count of error responses. Call before any route is added. */
export function registerErrorReplies(app: FastifyInstance, { bodyLimitBytes, metrics }: ErrorReplyOptions): void {
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err);
    const mapped = fastifyError(err, bodyLimitBytes, String(req.headers['content-type'] ?? 'none'));
    if (mapped) return sendError(reply, mapped);
    req.log.error({ err }, 'unhandled error');
    metrics.errors.inc({ kind: 'internal' });
    return sendError(reply, errors.internal());
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, errors.notFound(`${req.method} ${req.url.split('?')[0]}`)));
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode >= 400 && reply.statusCode < 500) metrics.errors.inc({ kind: `http_${reply.statusCode}` });
    return payload;
  });
}

export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  return reply.code(err.statusCode).send(errorBody(err));
}

/**
 * For fastify's `frameworkErrors`: errors raised before routing (a malformed %-escape, an over-long path
 * parameter). An over-long parameter cannot name anything that exists, hence 404.
 */
export function routingError(error: FastifyError): HttpError {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH' || /param/i.test(error.code ?? '');
  return tooLong ? errors.notFound('that path') : errors.badRequest('the request path is not valid');
}

const PART: Record<string, string> = {
  body: 'body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/**
 * For fastify's `schemaErrorFormatter`: a route's JSON schema refused the request. The 400 names the part and the
 * field and says what the schema wanted, e.g. `body.note: must NOT have fewer than 10 characters` or
 * `query parameter action: must be equal to one of the allowed values (feedback, …)`.
 */
export function validationError(issues: FastifySchemaValidationError[], part: string): HttpError {
  const issue = issues[0];
  if (!issue) return errors.badRequest(`${PART[part] ?? part}: not valid`);
  const fields = issue.instancePath.split('/').filter(Boolean);
  const where =
    part === 'body'
      ? ['body', ...fields].join('.')
      : fields.length > 0
        ? `${PART[part] ?? part} ${fields.join('.')}`
        : `${PART[part] ?? part}s`;
  const params = issue.params as { allowedValues?: unknown[]; additionalProperty?: string };
  const detail = params.allowedValues
    ? ` (${params.allowedValues.map(String).join(', ')})`
    : params.additionalProperty !== undefined
      ? ` ("${params.additionalProperty.slice(0, 100)}")`
      : '';
  return errors.badRequest(`${where}: ${issue.message ?? 'not valid'}${detail}`);
}

/** Fastify's own 4xx errors, reworded into the catalogue; undefined for anything else (a bug: 500). */
function fastifyError(err: FastifyError, bodyLimitBytes: number, contentType: string): HttpError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(contentType.split(';')[0]!.trim().slice(0, 100));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badRequest('request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('Content-Length does not match the body');
    default:
      // The rest of fastify's client errors are all 400s (a request stream that broke off, for one).
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return errors.badRequest(err.message);
      return undefined;
  }
}
