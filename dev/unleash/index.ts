export { startUnleashStack, type UnleashStack, type UnleashStackOptions } from './stack.js';
export { createAdminApi, type AdminApi, type Strategy, type StrategyVariant } from './admin-api.js';
export { LOCAL_TOKENS, type LocalTokens } from './tokens.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { findFreePort } from './free-port.js';
export { stopChild } from './stop-child.js';
export { chooseUnleashServer, type UnleashServerChoice, type UnleashServerMajor } from './server-choice.js';
export { connectExistingUnleash, existingUnleashFromEnv, type ExistingUnleash } from './existing.js';
