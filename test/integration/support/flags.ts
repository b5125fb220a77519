import { randomBytes } from 'node:crypto';

/** A flag name no other test (or earlier run on a shared database) uses. */
export function uniqueFlagName(purpose: string): string {
  return `maintenance-${purpose}-${randomBytes(3).toString('hex')}`;
}
