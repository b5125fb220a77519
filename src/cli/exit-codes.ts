export const EXIT_DONE = 0;
/** Unleash refused, could not be reached, or did not publish the change in time. */
export const EXIT_UNLEASH_FAILED = 1;
export const EXIT_USAGE = 2;
