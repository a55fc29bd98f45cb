/**
 * Where CDS client (EHR) authentication plugs in. Every discovery, service and feedback call passes
 * through `authenticate`; CORS preflight never does. Today the only authenticator is the development
 * one: no trusted issuers are configured, so calls are served unauthenticated and the service says so at
 * start. JWT verification against trusted issuers' JWKS replaces it without touching the routes.
 */
import type { FastifyRequest } from 'fastify';

export interface ClientIdentity {
  /** The JWT `iss` of the calling EHR, or "unauthenticated". */
  readonly issuer: string;
  readonly tenant?: string;
  /** FHIR servers this client's bearer tokens may be sent to (besides CDS_FHIR_SERVER_ALLOWLIST). */
  readonly fhirServers?: readonly string[];
}

/**
 * Who received a card and may speak for it: the issuer, and the tenant within it where the EHR names one. Alert
 * memory, feedback and inferred outcomes are kept and read under this key, so one client can never suppress
 * another's card.
 */
export function clientKey(identity: ClientIdentity | undefined): string {
  if (!identity) return 'unauthenticated';
  return identity.tenant ? `${identity.issuer}#tenant=${identity.tenant}` : identity.issuer;
}

export interface ClientAuthenticator {
  /** Resolves the caller, or throws HttpError 401. */
  authenticate(request: FastifyRequest): Promise<ClientIdentity>;
  /** One line for the start-up log describing the mode. */
  readonly description: string;
}

export const unauthenticatedDevelopment: ClientAuthenticator = {
  description: 'NO CDS client authentication is configured: every caller is accepted. Use only on a loopback address.',
  async authenticate() {
    return { issuer: 'unauthenticated' };
  },
};
