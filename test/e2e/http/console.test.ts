/**
 * The console's static files (src/http/console.ts): exact content types, the Content-Security-Policy on every
 * answer, no inline script or style in the page, no directory listing, and no way out of the file list however
 * `..` is spelled or encoded (sent verbatim over a real connection, so no client normalises the path first).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../../src/http/console.js';
import { createTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(() => t.close());

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends the request target exactly as written. */
function raw(target: string, method = 'GET', headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const root = path.resolve(import.meta.dirname, '../../..');
const chartJs = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
const NOT_FOUND = JSON.stringify({ error: 'CDS_ERR_NOT_FOUND', message: 'console file not found' });

describe('the console page', () => {
  it('is served at /console/ as HTML with the strict policy, and /console redirects there', async () => {
    const page = await raw('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toBe(readFileSync(path.join(root, 'src/console/index.html'), 'utf8'));

    const bare = await raw('/console');
    expect([bare.status, bare.headers.location]).toEqual([301, '/console/']);
  });

  it('has no inline script, no inline style and no script or style from elsewhere', async () => {
    const { body } = await raw('/console/');
    const scripts = [...body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]!.trim())).toEqual([
      'src="vendor/chart.umd.min.js" defer',
      'type="module" src="console.js"',
    ]);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(body).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=|javascript:|https?:\/\//);
  });

  it('serves each file with its exact content type, and Chart.js from its package', async () => {
    const types: [string, string][] = [
      ['console.js', 'text/javascript; charset=utf-8'],
      ['api.js', 'text/javascript; charset=utf-8'],
      ['charts.js', 'text/javascript; charset=utf-8'],
      ['views.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
      ['vendor/chart.umd.min.js', 'text/javascript; charset=utf-8'],
    ];
    for (const [name, type] of types) {
      const res = await raw(`/console/${name}`);
      expect([name, res.status, res.headers['content-type'], res.headers['content-security-policy']]).toEqual([
        name,
        200,
        type,
        CONSOLE_CSP,
      ]);
    }
    expect((await raw('/console/vendor/chart.umd.min.js')).body).toBe(readFileSync(chartJs, 'utf8'));
  });

  it('answers a repeated load with 304 when the file has not changed, and HEAD without a body', async () => {
    const first = await raw('/console/console.js');
    const again = await raw('/console/console.js', 'GET', { 'if-none-match': first.headers.etag! });
    expect([again.status, again.body]).toEqual([304, '']);
    const stale = await raw('/console/console.js', 'GET', { 'if-none-match': '"something-else"' });
    expect(stale.status).toBe(200);
    const head = await raw('/console/', 'HEAD');
    expect([head.status, head.headers['content-type'], head.body]).toEqual([200, 'text/html; charset=utf-8', '']);
  });

  it('lists no directory and serves no file outside its list (the console folder README included)', async () => {
    for (const target of ['/console/vendor/', '/console/vendor', '/console/README.md', '/console/index.htm']) {
      const res = await raw(target);
      expect([target, res.status, res.body]).toEqual([target, 404, NOT_FOUND]);
    }
  });

  it('never leaves the list, however .. is spelled or encoded', async () => {
    const attempts = [
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/%2E%2E/%2E%2E/package.json',
      '/console/..%2fpackage.json',
      '/console/%2e%2e%2fpackage.json',
      '/console/%2e%2e%2f%2e%2e%2fsrc%2fapp.ts',
      '/console/vendor/%2e%2e/%2e%2e/package.json',
      '/console/vendor/..%2f..%2f..%2fpackage.json',
      '/console/..%5cpackage.json',
      '/console/%252e%252e/package.json',
      '/console/./index.html',
      '/console//etc/passwd',
    ];
    for (const target of attempts) {
      const res = await raw(target);
      expect([target, res.status, res.body]).toEqual([target, 404, NOT_FOUND]);
    }
  });
});
