/**
 * The layer rule of src/, checked by `npm run lint` (dependency-cruiser). Read src/README.md first.
 *
 * A module may import modules of its own layer and of the layers BELOW it, never of a layer above: a request
 * goes down through the folders and never climbs back. There is no list of exceptions: a new import that breaks
 * the rule is fixed in the code (move the shared piece down, or pass it in as data or a function).
 */

/** The layers, top to bottom. Each entry: a name (used in messages) and the paths that belong to it. */
const LAYERS = [
  // Where the process starts and everything is wired together: may import anything.
  { name: 'entry', paths: ['^src/server\\.ts$', '^src/app\\.ts$', '^src/cli/'] },
  // The HTTP edge: routes, who is calling, and the configuration read from the environment.
  { name: 'edge', paths: ['^src/http/', '^src/config\\.ts$'] },
  // The records of what the service answered: card ledger, feedback, alert and rule memory.
  { name: 'records', paths: ['^src/feedback/'] },
  // One module per hook and the service call that runs a hook's checks and builds its cards.
  { name: 'hooks', paths: ['^src/hooks/'] },
  // The checks (findings, as data) and the cards (every word a clinician reads).
  { name: 'checks-and-cards', paths: ['^src/checks/', '^src/cards/'] },
  // Guideline rules: loading, validating and compiling rule files (the guideline check runs them).
  { name: 'rules', paths: ['^src/rules/'] },
  // What the checks read: FHIR data made into a clinical context, the knowledge base, site policies, identities.
  { name: 'data', paths: ['^src/fhir/', '^src/knowledge/', '^src/policy/', '^src/auth/'] },
  // Plumbing every layer may use: databases, deadlines, records storage, metrics, the error catalogue.
  { name: 'infra', paths: ['^src/infra/', '^src/metrics/', '^src/errors\\.ts$'] },
];

/**
 * The console's page (src/console/): ES modules that run in the browser, served as files by src/http/console.ts.
 * Outside the layers: it imports only its own modules, and no server module imports it.
 */
const BROWSER = '^src/console/';

const either = (paths) => `(${paths.join('|')})`;

/** For each layer, one rule: it may not import from any layer above it. */
const upwardImports = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1);
  return {
    name: `no-upward-import-from-${layer.name}`,
    comment: `${layer.name} sits below ${above.map((l) => l.name).join(', ')}: it may not import them`,
    severity: 'error',
    from: { path: either(layer.paths) },
    to: { path: either(above.flatMap((l) => l.paths)) },
  };
});

module.exports = {
  forbidden: [
    ...upwardImports,
    {
      name: 'checks-return-data',
      comment: 'checks return findings (data); only cards/ words them, so a check never imports cards/',
      severity: 'error',
      from: { path: '^src/checks/' },
      to: { path: '^src/cards/' },
    },
    {
      name: 'console-runs-in-the-browser',
      comment: 'the console page runs in a browser: it can import only its own modules (the API gives it its data)',
      severity: 'error',
      from: { path: BROWSER },
      to: { pathNot: BROWSER },
    },
    {
      name: 'console-is-not-imported',
      comment: 'the console page is served as files, never imported by the service',
      severity: 'error',
      from: { path: '^src/', pathNot: BROWSER },
      to: { path: BROWSER },
    },
    {
      name: 'no-circular',
      comment: 'two modules that import each other (directly or round a loop) are one module in two files',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'every-module-in-a-layer',
      comment: 'a file or folder new to src/ must be given a layer above (and in src/README.md)',
      severity: 'error',
      from: { path: '^src/', pathNot: either([...LAYERS.flatMap((l) => l.paths), BROWSER]) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from a layer above ties the module to that layer just the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
