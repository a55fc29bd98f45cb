import { testDataDir } from './data-dir.js';

// Child processes the tests start (the CLI, the server) inherit this instead of defaulting to ./.data.
process.env.DATA_DIR = testDataDir();
