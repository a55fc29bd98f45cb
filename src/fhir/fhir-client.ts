/**
 * Fetches FHIR data the EHR did not prefetch. The EHR's bearer token is sent only to allow-listed servers,
 * `next` links are followed only on the same origin (so a hostile Bundle cannot redirect the token), and
 * every call is bound to the request deadline. The token is never logged.
 */
import { isLoopbackUrl } from '../config.js';
import type { Deadline } from '../infra/deadline.js';
import { isObject, nextLink, resourcesOf, type Json } from './resources.js';

export type FhirFailureReason = 'not-allowlisted' | 'timeout' | 'network' | 'http-status' | 'invalid-response' | 'too-many-pages';

export class FhirFetchError extends Error {
  constructor(
    readonly reason: FhirFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface FhirServerAccess {
  readonly baseUrl: string;
  readonly accessToken?: string;
}

/** Search pages followed at most, so a server that always links `next` cannot hold a request. */
const MAX_PAGES = 20;
/** Time kept back from the deadline to build the answer after a fetch gives up. */
const RESPONSE_RESERVE_MS = 15;

/** True when the service may contact this FHIR server (and send it the EHR's token). */
export function isAllowedFhirServer(url: string, allowlist: readonly string[]): boolean {
  if (isLoopbackUrl(url)) return true;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return allowlist.some((prefix) => {
    const allowed = new URL(prefix);
    const allowedPath = allowed.pathname.replace(/\/+$/, '');
    return (
      target.origin === allowed.origin &&
      (target.pathname === allowedPath || target.pathname.startsWith(`${allowedPath}/`) || allowedPath === '')
    );
  });
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

  /** Runs a search (relative query such as `MedicationRequest?patient=1`) and returns every page's resources. */
  async search(access: FhirServerAccess, query: string, deadline: Deadline): Promise<Json[]> {
    const base = access.baseUrl.replace(/\/+$/, '');
    const first = new URL(`${base}/${query.replace(/^\/+/, '')}`);
    const resources: Json[] = [];
    let url: string | undefined = first.toString();
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new FhirFetchError('too-many-pages', `more than ${MAX_PAGES} result pages`);
      const body = await this.get(access, url, deadline);
      resources.push(...resourcesOf(body).filter((r) => r.resourceType !== 'OperationOutcome'));
      url = this.followable(nextLink(body), first);
    }
    return resources;
  }

  /** Reads one resource by relative reference (`Medication/123`) or absolute URL on the same server. */
  async read(access: FhirServerAccess, reference: string, deadline: Deadline): Promise<Json> {
    const base = access.baseUrl.replace(/\/+$/, '');
    const url = /^https?:\/\//.test(reference) ? reference : `${base}/${reference}`;
    if (new URL(url).origin !== new URL(base).origin) {
      throw new FhirFetchError('not-allowlisted', `reference ${reference} is not on the EHR's FHIR server`);
    }
    const body = await this.get(access, url, deadline);
    if (!isObject(body)) throw new FhirFetchError('invalid-response', 'response is not a FHIR resource');
    return body;
  }

  /** Continues a Bundle the EHR prefetched, from its `next` link. */
  async continueBundle(access: FhirServerAccess, bundle: unknown, deadline: Deadline): Promise<Json[]> {
    const base = new URL(access.baseUrl);
    const resources: Json[] = [];
    let url = this.followable(nextLink(bundle), base);
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new FhirFetchError('too-many-pages', `more than ${MAX_PAGES} result pages`);
      const body = await this.get(access, url, deadline);
      resources.push(...resourcesOf(body).filter((r) => r.resourceType !== 'OperationOutcome'));
      url = this.followable(nextLink(body), base);
    }
    return resources;
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
      throw new FhirFetchError('not-allowlisted', `next link leads to another server (${url.origin})`);
    }
    return url.toString();
  }

  private async get(access: FhirServerAccess, url: string, deadline: Deadline): Promise<unknown> {
    if (!isAllowedFhirServer(url, this.allowlist)) {
      throw new FhirFetchError('not-allowlisted', `FHIR server ${new URL(url).origin} is not on the allow-list`);
    }
    if (deadline.remainingMs() <= RESPONSE_RESERVE_MS) {
      throw new FhirFetchError('timeout', 'no time left in the request budget');
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
        throw new FhirFetchError('timeout', 'the FHIR server did not answer within the time budget');
      }
      throw new FhirFetchError('network', 'the FHIR server could not be reached');
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FhirFetchError('http-status', `the FHIR server answered HTTP ${res.status}`);
    }
    try {
      return await res.json();
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new FhirFetchError('timeout', 'the FHIR server did not answer within the time budget');
      }
      throw new FhirFetchError('invalid-response', 'the FHIR server sent a body that is not JSON');
    }
  }
}
