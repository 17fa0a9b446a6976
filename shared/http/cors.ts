// CORS for the functions browsers call (token, sign): an origin gets the headers only when it is one
// of CORS_ALLOWED_ORIGINS (or that list holds `*`).

/** The CORS response headers for `origin`, or undefined when it is not allowed (or there is none). */
export function corsHeaders(allowedOrigins: readonly string[], origin: string | undefined, methods: readonly string[]): Record<string, string> | undefined {
  if (!origin) return undefined;
  const any = allowedOrigins.includes('*');
  if (!any && !allowedOrigins.includes(origin)) return undefined;
  return {
    'Access-Control-Allow-Origin': any ? '*' : origin,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    // Date lets a browser client measure its clock against the server's (a cross-origin script sees only safelisted headers).
    'Access-Control-Expose-Headers': 'Date, X-Request-Id',
    Vary: 'Origin',
  };
}
