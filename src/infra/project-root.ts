import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root (where knowledge-base/ and rules/ live), whether running from src/ or dist/src/. */
export const projectRoot = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');
})();
