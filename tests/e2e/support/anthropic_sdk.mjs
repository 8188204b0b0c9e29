// The official Anthropic SDK (pinned in package.json): `import { Anthropic } from './support/anthropic_sdk.mjs'`.
import { requirePackage } from './require_package.mjs';

export const Anthropic = (await requirePackage('@anthropic-ai/sdk')).default;
