const CODE_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

/** Turns what `fetch` threw into a few words: fetch only says "fetch failed" and hides the reason in `cause`. */
export function describeNetworkFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = causeOf(error);
  const code = cause && typeof cause === 'object' && 'code' in cause ? String(cause.code) : undefined;
  if (code && CODE_REASONS[code]) return CODE_REASONS[code];
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** undici sometimes wraps the socket error in an AggregateError (one per address tried). */
function causeOf(error: unknown): unknown {
  const cause = error instanceof Error ? error.cause : undefined;
  const hasCode = cause && typeof cause === 'object' && 'code' in cause;
  if (!hasCode && cause instanceof AggregateError && cause.errors.length > 0) return cause.errors[0];
  return cause;
}
