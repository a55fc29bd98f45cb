/** The knowledge importers by format name, as `cds kb import --format <name>` selects them. */
import type { Importer } from '../import-record.js';
import { ddinterCsvImporter } from './ddinter-csv.js';
import { neutralCsvImporter } from './neutral-csv.js';
import { rxnormRrfImporter } from './rxnorm-rrf.js';

export const IMPORTERS: Record<string, Importer> = {
  [neutralCsvImporter.format]: neutralCsvImporter,
  [rxnormRrfImporter.format]: rxnormRrfImporter,
  [ddinterCsvImporter.format]: ddinterCsvImporter,
};

/** The formats with their one-line descriptions, sorted by name. */
export function listFormats(): { format: string; description: string }[] {
  return Object.values(IMPORTERS)
    .map(({ format, description }) => ({ format, description }))
    .sort((x, y) => x.format.localeCompare(y.format));
}

export { ddinterCsvImporter, neutralCsvImporter, rxnormRrfImporter };
