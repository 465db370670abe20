/** The webhook URL with its origin replaced by `baseUrl` (a proxy, or a local fake in tests); path and query kept. */
export function withBaseUrl(url: string, baseUrl: string | undefined): string {
  if (baseUrl === undefined) return url;
  const u = new URL(url);
  const b = new URL(baseUrl);
  return `${b.origin}${b.pathname.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}
