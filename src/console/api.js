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

/** Sends one request as the signed-in person; resolves to the answer's status, type and text. */
async function send(path, { method = 'GET', body, accept = 'application/json' } = {}) {
  const headers = { authorization: `Bearer ${storedCredential()}`, accept };
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
  if (!res.ok) {
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    throw new ApiError(res.status, errorCode(parsed), errorMessage(res.status, parsed));
  }
  return { type: res.headers.get('content-type') ?? 'application/octet-stream', text };
}

/** Calls the API (same origin) as the signed-in person; resolves to the JSON body, or throws an ApiError. */
export async function call(path, options) {
  const { text } = await send(path, options);
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches a file from the API as the signed-in person (the credential in the header, never in the address) and
 * hands it to the browser as a download named `fileName`: a Blob behind a short-lived object URL, saved through a
 * link with a `download` attribute.
 */
export async function download(path, fileName, accept) {
  const { type, text } = await send(path, { accept });
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the Blob after the click returns; the URL is let go of once it surely has.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
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
