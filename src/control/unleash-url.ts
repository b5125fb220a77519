import { ControlInputError } from './errors.js';

/** The Unleash base URL without a trailing `/` or `/api`, so that `/api/admin/...` can be appended. */
export function normalizeBaseUrl(url: string, option = 'url'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ControlInputError(option, `must be an absolute http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ControlInputError(option, `must be an http(s) URL, got "${parsed.protocol}"`);
  }
  // fetch refuses such a URL and repeats it, password included, in its error: refuse it first, unrepeated.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ControlInputError(option, 'must not hold a user name or password; Unleash takes the API token instead');
  }
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/+$/, '').replace(/\/api$/, '');
}

/** The URL as it may appear in messages: no user name or password. */
export function displayUrl(baseUrl: string): string {
  const parsed = new URL(baseUrl);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/+$/, '');
}
