/** The one shape of start-up error: `maintenance(): bypassIps[1] "10.0.0.0/33" is not an IP address or CIDR range`. */
export function optionError(path: string, value: unknown, expectation: string): TypeError {
  return new TypeError(`maintenance(): ${path} ${describe(value)} ${expectation}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
