/**
 * Fetches FHIR data the EHR did not prefetch. The EHR's bearer token is sent only to allow-listed servers,
 * `next` links are followed only on the same origin (so a hostile Bundle cannot redirect the token), and
 * every call is bound to the request deadline. The token is never logged.
 */
import { isLoopbackUrl } from '../infra/loopback.js';
import type { Deadline } from '../infra/deadline.js';
import { asArray, isObject, nextLink, resourcesOf, str, type Json } from './resources.js';

/** Why a FHIR read failed, as data (cards/coverage-cards.ts words it). */
export type FhirFailure =
  /** The server (`origin`; undefined: not a valid address) is not allow-listed. */
  | { readonly reason: 'not-allowlisted'; readonly origin: string | undefined }
  /** A reference to read points to another server than the EHR's. */
  | { readonly reason: 'reference-elsewhere'; readonly reference: string }
  /** A Bundle's `next` link points to another server. */
  | { readonly reason: 'next-elsewhere'; readonly origin: string }
  /** The request's time budget was spent before the call. */
  | { readonly reason: 'no-time-left' }
  | { readonly reason: 'timeout' }
  | { readonly reason: 'network' }
  | { readonly reason: 'http-status'; readonly status: number }
  | { readonly reason: 'not-json' }
  | { readonly reason: 'not-a-resource' }
  | { readonly reason: 'invalid-address' }
  /** The request's context has no patient id to put in the query. */
  | { readonly reason: 'no-patient-id' }
  | { readonly reason: 'too-many-pages'; readonly maxPages: number };

export class FhirFetchError extends Error {
  constructor(readonly failure: FhirFailure) {
    // the code only: the words are the card's, and a log line must carry no reference or address
    super(`FHIR read failed: ${failure.reason}`);
  }
}

export interface FhirServerAccess {
  readonly baseUrl: string;
  readonly accessToken?: string;
  /** Servers allow-listed for the calling EHR (its trusted-issuer entry), on top of the global allow-list. */
  readonly allowlist?: readonly string[];
}

/** Search pages followed at most, so a server that always links `next` cannot hold a request. */
const MAX_PAGES = 20;
/** Time kept back from the deadline to build the answer after a fetch gives up. */
const RESPONSE_RESERVE_MS = 15;

/**
 * True when the service may contact this FHIR server (and send it the EHR's token): a server under an
 * allow-listed prefix, or — only while no allow-list is configured, for development — a loopback server.
 */
export function isAllowedFhirServer(url: string, allowlist: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (allowlist.length === 0) return isLoopbackUrl(url);
  return allowlist.some((prefix) => {
    const allowed = new URL(prefix);
    const allowedPath = allowed.pathname.replace(/\/+$/, '');
    return (
      target.origin === allowed.origin &&
      (target.pathname === allowedPath || target.pathname.startsWith(`${allowedPath}/`) || allowedPath === '')
    );
  });
}

export interface SearchResult {
  readonly resources: Json[];
  /** Errors the server reported inside the results (OperationOutcome entries of severity error or fatal). */
  readonly outcomes: string[];
  /** Why the result is incomplete (a later page failed), if it is. */
  readonly problem?: FhirFailure;
}

function emptyResult(): SearchResult {
  return { resources: [], outcomes: [] };
}

function addPage(result: SearchResult, body: unknown): void {
  for (const r of resourcesOf(body)) {
    if (r.resourceType === 'OperationOutcome') {
      const error = outcomeError(r);
      if (error) result.outcomes.push(error);
    } else result.resources.push(r);
  }
}

/** The text of the first error or fatal issue of an OperationOutcome, if it has one. */
export function outcomeError(outcome: Json): string | undefined {
  const issue = asArray(outcome.issue)
    .filter(isObject)
    .find((i) => i.severity === 'error' || i.severity === 'fatal');
  if (!issue) return undefined;
  const text =
    str(issue.diagnostics) ??
    (isObject(issue.details) ? str(issue.details.text) : undefined) ??
    str(issue.code) ??
    'an error';
  return text.slice(0, 200);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class FhirClient {
  private readonly fetchImpl: typeof fetch;

  constructor(
    private readonly allowlist: readonly string[],
    fetchImpl: typeof fetch = fetch,
  ) {
    // Called as a plain function: the platform fetch rejects any other `this`.
    this.fetchImpl = (input, init) => fetchImpl(input, init);
  }

  /**
   * Runs a search (relative query such as `MedicationRequest?patient=1`) and collects every page. A failure
   * on the first page throws; a failure on a later page keeps what was read and says why in `problem`.
   */
  async search(access: FhirServerAccess, query: string, deadline: Deadline): Promise<SearchResult> {
    const base = access.baseUrl.replace(/\/+$/, '');
    let first: URL;
    try {
      first = new URL(`${base}/${query.replace(/^\/+/, '')}`);
    } catch {
      throw new FhirFetchError({ reason: 'invalid-address' });
    }
    const body = await this.get(access, first.toString(), deadline);
    const result = emptyResult();
    addPage(result, body);
    return this.collectPages(access, nextLink(body), first, deadline, result);
  }

  /** Reads one resource by relative reference (`Medication/123`) or absolute URL on the same server. */
  async read(access: FhirServerAccess, reference: string, deadline: Deadline): Promise<Json> {
    const base = access.baseUrl.replace(/\/+$/, '');
    const url = /^https?:\/\//.test(reference) ? reference : `${base}/${reference}`;
    if (originOf(url) === undefined || originOf(url) !== originOf(base)) {
      throw new FhirFetchError({ reason: 'reference-elsewhere', reference: reference.slice(0, 200) });
    }
    const body = await this.get(access, url, deadline);
    if (!isObject(body)) throw new FhirFetchError({ reason: 'not-a-resource' });
    return body;
  }

  /** Reads the rest of a Bundle the EHR prefetched, from its `next` link (the first page is the EHR's). */
  async continueBundle(access: FhirServerAccess, bundle: unknown, deadline: Deadline): Promise<SearchResult> {
    let base: URL;
    try {
      base = new URL(access.baseUrl);
    } catch {
      return { ...emptyResult(), problem: { reason: 'invalid-address' } };
    }
    return this.collectPages(access, nextLink(bundle), base, deadline, emptyResult());
  }

  private async collectPages(
    access: FhirServerAccess,
    next: string | undefined,
    origin: URL,
    deadline: Deadline,
    result: SearchResult,
  ): Promise<SearchResult> {
    try {
      let url = this.followable(next, origin);
      for (let page = 1; url; page++) {
        if (page >= MAX_PAGES) throw new FhirFetchError({ reason: 'too-many-pages', maxPages: MAX_PAGES });
        const body = await this.get(access, url, deadline);
        addPage(result, body);
        url = this.followable(nextLink(body), origin);
      }
      return result;
    } catch (err) {
      if (err instanceof FhirFetchError) return { ...result, problem: err.failure };
      throw err;
    }
  }

  private followable(next: string | undefined, origin: URL): string | undefined {
    if (!next) return undefined;
    let url: URL;
    try {
      url = new URL(next, origin);
    } catch {
      return undefined;
    }
    if (url.origin !== origin.origin) {
      throw new FhirFetchError({ reason: 'next-elsewhere', origin: url.origin });
    }
    return url.toString();
  }

  private async get(access: FhirServerAccess, url: string, deadline: Deadline): Promise<unknown> {
    if (!isAllowedFhirServer(url, [...this.allowlist, ...(access.allowlist ?? [])])) {
      throw new FhirFetchError({ reason: 'not-allowlisted', origin: originOf(url) });
    }
    if (deadline.remainingMs() <= RESPONSE_RESERVE_MS) {
      throw new FhirFetchError({ reason: 'no-time-left' });
    }
    const headers: Record<string, string> = { accept: 'application/fhir+json, application/json' };
    if (access.accessToken) headers.authorization = `Bearer ${access.accessToken}`;
    const signal = deadline.signal(RESPONSE_RESERVE_MS);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers, signal, redirect: 'error' });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new FhirFetchError({ reason: 'timeout' });
      }
      throw new FhirFetchError({ reason: 'network' });
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FhirFetchError({ reason: 'http-status', status: res.status });
    }
    try {
      return await res.json();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new FhirFetchError({ reason: 'timeout' });
      }
      throw new FhirFetchError({ reason: 'not-json' });
    }
  }
}
