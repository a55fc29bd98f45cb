/**
 * Every relative link in the repository's markdown reaches a file that exists, and a link to a heading (`#anchor`)
 * names a heading of its target as GitHub spells it. The documentation is spread over folder READMEs that link to
 * each other, so a moved section or a renamed heading must fail here rather than leave a reader at a dead end.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git', '.data']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** The text outside fenced code blocks and inline code, where a `](…)` is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

function relativeLinks(file: string): Link[] {
  const links: Link[] = [];
  for (const [, target] of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto: …
    links.push({ file: path.relative(ROOT, file), target: target! });
  }
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenBecause(link: Link): string | undefined {
  const [target, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const resolved =
    target === '' ? path.join(ROOT, link.file) : path.resolve(path.dirname(path.join(ROOT, link.file)), target);
  if (!existsSync(resolved)) return 'no such file';
  if (anchor === undefined || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  return anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor)) ? undefined : 'no such heading';
}

describe('markdown links', () => {
  const links = markdownFiles(ROOT).flatMap(relativeLinks);

  it('finds the links between the folder READMEs', () => {
    expect(links).toContainEqual({ file: 'README.md', target: 'src/hooks/README.md' });
    expect(links).toContainEqual({
      file: 'src/auth/README.md',
      target: '../hooks/README.md#try-it-with-the-cds-hooks-sandbox',
    });
  });

  it('every relative link reaches an existing file and heading', () => {
    const broken = links.flatMap((link) => {
      const why = brokenBecause(link);
      return why ? [`${link.file}: ${link.target} (${why})`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('spells anchors as GitHub does', () => {
    expect([
      ...anchors('# Drug–allergy and duplicate therapy\n## Validation (`cds kb validate [DIR]`)\n## A\n## A'),
    ]).toEqual(['drugallergy-and-duplicate-therapy', 'validation-cds-kb-validate-dir', 'a', 'a-1']);
  });
});
