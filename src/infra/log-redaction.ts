/**
 * Paths pino redacts from every log line: credentials and anything that could carry patient data.
 * Request bodies are never logged, so these guard against a future log call that passes them by mistake.
 */
export const logRedactPaths: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'fhirAuthorization',
  '*.fhirAuthorization',
  'access_token',
  '*.access_token',
  'prefetch',
  '*.prefetch',
  'context',
  '*.context',
  'patientId',
  '*.patientId',
  'body',
  '*.body',
];
