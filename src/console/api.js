/**
 * The service's API as the console calls it: the person's credential (an API key or an access token) is kept in
 * sessionStorage (this tab only, gone when it closes) and sent as `Authorization: Bearer`, never in an address.
 */

const KEY = 'cds-console-credential';

export function storedCredential() {
  return sessionStorage.getItem(KEY) ?? '';
}

export function storeCredential(value) {
  sessionStorage.setItem(KEY, value);
}

export function forgetCredential() {
  sessionStorage.removeItem(KEY);
}

/** An error answer of the API: its status, the catalogue code and the message (src/http/README.md). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A query string from the set values only. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) q.set(name, value);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Calls the API (same origin) as the signed-in person; resolves to the JSON body, or throws an ApiError. */
export async function call(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${storedCredential()}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The service could not be reached.');
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, errorCode(parsed), errorMessage(res.status, parsed));
  return parsed;
}

function errorCode(body) {
  if (body && typeof body.error === 'string') return body.error;
  return body?.issue?.[0]?.code ?? 'UNKNOWN';
}

/** The catalogue's `message`, or an OperationOutcome's first diagnostics, or a sentence for the status. */
function errorMessage(status, body) {
  if (body && typeof body.message === 'string') return body.message;
  const issue = body?.issue?.[0];
  if (issue && typeof issue.diagnostics === 'string') return issue.diagnostics;
  if (status === 401) return 'The credential was not accepted.';
  if (status === 403) return 'This credential may not do that.';
  return `The service answered ${status}.`;
}
