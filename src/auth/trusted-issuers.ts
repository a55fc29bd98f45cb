/**
 * CDS_TRUSTED_ISSUERS: the EHRs (CDS clients) allowed to call, each with its keys and the FHIR servers its
 * bearer tokens may be sent to. JSON, or `@path` to a JSON file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Asymmetric algorithms only: `none` and HMAC (a shared secret anyone holding the public key could forge) never. */
export const ALLOWED_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
const DEFAULT_ALGS = ['ES384', 'RS384'];

export const TrustedIssuer = z
  .object({
    iss: z.string().min(1),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    jwks_url: z.url({ protocol: /^https$/ }).optional(),
    /** `jku` header values honoured for this issuer (each must be https). */
    jku: z.array(z.url({ protocol: /^https$/ })).default([]),
    algs: z
      .array(z.enum(ALLOWED_ALGS))
      .min(1)
      .default(DEFAULT_ALGS as ('ES384' | 'RS384')[]),
    fhir_servers: z.array(z.url({ protocol: /^https$/ })).default([]),
  })
  .strict()
  .refine((i) => i.jwks || i.jwks_url || i.jku.length > 0, {
    message: 'an issuer needs jwks, jwks_url or an allowed jku',
  });
export type TrustedIssuer = z.infer<typeof TrustedIssuer>;

export const TrustedIssuers = z
  .array(TrustedIssuer)
  .refine((list) => new Set(list.map((i) => i.iss)).size === list.length, {
    message: 'each iss may appear once',
  });

/** Parses the variable's value (JSON or @file); throws with a message naming what is wrong. */
export function parseTrustedIssuers(value: string): TrustedIssuer[] {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = TrustedIssuers.safeParse(json);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}
