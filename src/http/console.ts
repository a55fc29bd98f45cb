/**
 * The informaticist's console: GET /console/ and its static files. The page holds no data (everything it shows
 * comes from the authenticated API with the credential the person types), so these routes are public.
 *
 * A fixed list of files, read once at start into memory and answered by name: a request can only ever name a key
 * of that list, so no path is ever built from the request (no traversal, however `..` is spelled or encoded) and
 * nothing lists a directory. The page's own files live in `src/console/` (shipped in the package as they are, not
 * compiled); Chart.js is its UMD build, resolved from node_modules at start, so the page needs no CDN and works
 * offline. Every answer carries a strict Content-Security-Policy: scripts, styles and API calls from this origin
 * only, no inline script or style, no framing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { projectRoot } from '../infra/project-root.js';
import { PUBLIC } from './route-access.js';

/** Where the page's own files are (whether the service runs from src/ or dist/src/). */
export const CONSOLE_DIR = path.join(projectRoot, 'src', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's own files, by the name they are requested under (below /console/). */
const OWN_FILES = ['index.html', 'console.css', 'console.js', 'api.js', 'charts.js', 'views.js', 'icon.svg'];

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Chart.js's UMD build (it defines `window.Chart`): resolved through the package, not a guessed path. */
function chartJsPath(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(main), 'chart.umd.min.js');
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const sources: [string, string][] = [
    ...OWN_FILES.map((name): [string, string] => [name, path.join(CONSOLE_DIR, name)]),
    ['vendor/chart.umd.min.js', chartJsPath()],
  ];
  const assets = new Map<string, Asset>();
  for (const [name, file] of sources) {
    const body = await readFile(file).catch((err: Error) => {
      throw new Error(`the console file ${name} could not be read from ${file}: ${err.message}`);
    });
    const type = TYPES[path.extname(name)];
    if (!type) throw new Error(`the console file ${name} has no known content type`);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(name, { body, type, etag });
  }
  assets.set('', assets.get('index.html')!);
  return assets;
}

export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const assets = await loadAssets();

  const send = (req: FastifyRequest, reply: FastifyReply, asset: Asset) => {
    void reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-resource-policy', 'same-origin')
      // Revalidated on every load, so a new release's page is never mixed with the previous one's modules.
      .header('cache-control', 'no-cache')
      .header('etag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };

  // Relative links in the page resolve against /console/, so the bare path only redirects there.
  app.get('/console', { config: { access: PUBLIC } }, async (_req, reply) => reply.redirect('/console/', 301));

  app.get<{ Params: { '*': string } }>('/console/*', { config: { access: PUBLIC } }, async (req, reply) => {
    const asset = assets.get(req.params['*']);
    if (!asset) throw errors.notFound('console file');
    return send(req, reply, asset);
  });
};
