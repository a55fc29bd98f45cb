/**
 * A real FHIR server on loopback for tests: answers from a handler, records every request (URL and the
 * Authorization header it received) and can fail or stall on demand.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FhirReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly url: string;
  readonly authorization: string | undefined;
}

export interface TestFhirServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFhirServer(handler: (path: string, url: URL) => FhirReply): Promise<TestFhirServer> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    const reply = handler(path, url);
    const send = () => {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/fhir+json' });
      res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    };
    if (reply.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) send();
      }, reply.delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function searchset(resources: unknown[], next?: string): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    ...(next ? { link: [{ relation: 'next', url: next }] } : {}),
    entry: resources.map((resource) => ({ resource })),
  };
}
