// The official OpenAI SDK (pinned in package.json): `import { OpenAI } from './support/openai_sdk.mjs'`.
import { requirePackage } from './require_package.mjs';

export const OpenAI = (await requirePackage('openai')).default;
