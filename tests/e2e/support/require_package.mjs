// Loads an npm package of this suite after checking that `npm ci` has been run in tests/e2e, so a
// missing install fails with an instruction instead of ERR_MODULE_NOT_FOUND. (A static
// `import OpenAI from 'openai'` in a test file would fail while linking, before any check runs,
// hence the SDKs are reached through openai_sdk.mjs and anthropic_sdk.mjs.)
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const e2eDir = fileURLToPath(new URL('..', import.meta.url));

export async function requirePackage(name) {
  const manifest = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  if (!fs.existsSync(manifest)) {
    throw new Error(
      `the e2e tests need the npm package "${name}", and ${e2eDir}node_modules does not have it: ` +
        `run \`npm ci\` in ${e2eDir} (needs Node.js 18.18 or newer)`,
    );
  }
  return import(name);
}
