import type { EntrySpec, ClassSpec } from '../member-spec.js';

export const classes: ClassSpec[] = [];
export const entries: EntrySpec[] = [];
