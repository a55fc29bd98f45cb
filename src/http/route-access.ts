/**
 * Who may call a route is decided by the route that matched, never by the text of the URL: every route declares
 * its access in its config (`config: { access }`), and an onRoute hook, added before any route exists, attaches
 * the matching authentication as that route's own first onRequest hooks. The router decodes `%XX` and so does
 * nothing here depend on how the path was spelled: `/%63ds-services/x` matches `/cds-services/:id` and is
 * authenticated as that route. A route registered without an access declaration stops the app at start.
 *
 * Also refused before routing decides anything: request targets that are not origin-form (`http://host/path`,
 * `*`), NUL characters in the target, and credentials in the query string (they end up in proxies' and
 * browsers' logs and histories).
 */
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HTTPMethods,
  onRequestHookHandler,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../errors.js';
import type { Role } from '../auth/user-auth.js';

/** What a caller needs for a route. */
export type RouteAccess =
  /** Health, liveness and metrics: for the orchestrator and Prometheus, no credentials. */
  | { readonly kind: 'public' }
  /** Discovery, services and feedback: a CDS client (EHR) JWT of a trusted issuer (development mode: anyone). */
  | { readonly kind: 'cds-client' }
  /** Endpoints for people: a user token or an API key holding one of the roles. */
  | { readonly kind: 'people'; readonly roles: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export const PUBLIC: RouteAccess = { kind: 'public' };
export const CDS_CLIENT: RouteAccess = { kind: 'cds-client' };
export const people = (roles: readonly Role[]): RouteAccess => ({ kind: 'people', roles });

export interface AccessGuards {
  /** Authenticates a CDS client (sets request.client) or throws 401. */
  readonly client: onRequestHookHandler;
  /** Runs after client authentication on client routes (rate limit and load shedding key on the issuer). */
  readonly afterClient?: onRequestHookHandler;
  /** Authenticates a person holding one of the roles (sets request.user) or throws 401/403. */
  readonly people: (roles: readonly Role[]) => onRequestHookHandler;
}

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

/** Query parameters that carry credentials (RFC 6750 `access_token` and its usual cousins). */
const CREDENTIAL_PARAMS = new Set(['access_token', 'id_token', 'api_key', 'apikey']);
/** A JWT or an API key of this service, wherever it appears in a query string. */
const CREDENTIAL_VALUE = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}|cdsk_[A-Za-z0-9_-]{16,}/;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declared, in registration order (the security tests walk them). */
    readonly registeredRoutes: readonly RegisteredRoute[];
  }
}

/**
 * Adds the hooks and decorates the app with `registeredRoutes`. Register it right after creating the app, before
 * any route (including other plugins' routes) is added: onRoute hooks only see routes registered after them.
 * Wrapped in fastify-plugin because its hooks and decoration belong to the whole app, not to a child context.
 */
export const routeAccess = fp<AccessGuards>(
  async (app, guards) => {
    app.decorate('registeredRoutes', addAccessHooks(app, guards));
  },
  { name: 'route-access', fastify: '5.x' },
);

function addAccessHooks(app: FastifyInstance, guards: AccessGuards): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = ([] as HTTPMethods[]).concat(route.method);
    const declared = route.config?.access;
    // CORS preflight (the @fastify/cors catch-all OPTIONS route) carries no credentials by design.
    const access: RouteAccess | undefined = declared ?? (methods.every((m) => m === 'OPTIONS') ? PUBLIC : undefined);
    if (!access)
      throw new Error(
        `route ${methods.join(',')} ${route.url} declares no access (config.access): every route must say who may call it`,
      );
    const own =
      route.onRequest === undefined
        ? []
        : ([] as onRequestHookHandler[]).concat(route.onRequest as onRequestHookHandler | onRequestHookHandler[]);
    const guard =
      access.kind === 'cds-client'
        ? [guards.client, ...(guards.afterClient ? [guards.afterClient] : [])]
        : access.kind === 'people'
          ? [guards.people(access.roles)]
          : [];
    route.onRequest = [...guard, ...own];
    for (const method of methods) routes.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (req: FastifyRequest, _reply: FastifyReply) => {
    const target = req.raw.url ?? '';
    // Absolute-form (`POST http://x/cds-services/...`) is for proxies; a server answering it would let the
    // target's text differ from the path that was routed. Asterisk-form is only for a server-wide OPTIONS.
    if (!target.startsWith('/'))
      throw errors.badRequest(
        'the request target must be a path starting with "/" (absolute-form and asterisk-form are not accepted)',
      );
    // No identifier, filter or cursor of this service contains a NUL, and PostgreSQL refuses it in text.
    if (/%00/.test(target)) throw errors.badRequest('the request target contains a NUL character (%00)');
    const q = target.indexOf('?');
    if (q >= 0) refuseCredentialsInQuery(target.slice(q + 1));
  });
  return routes;
}

function refuseCredentialsInQuery(query: string): void {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return;
  }
  for (const [name, value] of params) {
    if (CREDENTIAL_PARAMS.has(name.toLowerCase()) || CREDENTIAL_VALUE.test(value)) {
      throw errors.badRequest(
        'credentials are not accepted in the query string; send them in the Authorization header',
      );
    }
  }
}
