import { isSecretLikeName, maskedSecret } from '@fireline/secrets/secret-names';

/** A path segment or query value that looks generated: 16+ URL-safe characters with letters and digits (tokens, ids). */
function looksLikeToken(value: string): boolean {
  return value.length >= 16 && /^[A-Za-z0-9_.~%-]+$/.test(value) && /[A-Za-z]/.test(value) && /[0-9]/.test(value);
}

/** Slack incoming-webhook hosts (https://api.slack.com/messaging/webhooks): the URL's last segment is the credential. */
function isSlackHost(host: string): boolean {
  return host === 'hooks.slack.com' || host.endsWith('.slack.com');
}

/**
 * A target URL as reads show it: scheme, host, port and the shape of the path kept, credentials
 * masked (`…` + last 4 characters): any user name or password, a Slack webhook's token segment,
 * token-looking path segments (`/api/webhooks/123/AbC…`), the values of query parameters with
 * secret-looking names (`?token=`, `?sig=`, `?api_key=`) or token-looking values. No fragment. The full
 * URL is kept encrypted and used only to send.
 */
export function maskedTargetUrl(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return maskedSecret(target);
  }
  const userinfo = url.username !== '' || url.password !== '' ? '…@' : '';
  const slack = isSlackHost(url.hostname.toLowerCase());
  const segments = url.pathname.split('/');
  const path = segments
    .map((segment, i) => {
      if (segment === '') return segment;
      const last = i === segments.length - 1;
      return (slack && last) || looksLikeToken(segment) ? maskedSecret(segment) : segment;
    })
    .join('/');
  const query = [...url.searchParams.entries()]
    .map(([name, value]) => `${encodeURIComponent(name)}=${isSecretLikeName(name) || looksLikeToken(value) ? maskedSecret(value) : encodeURIComponent(value)}`)
    .join('&');
  return `${url.protocol}//${userinfo}${url.host}${path}${query === '' ? '' : `?${query}`}`;
}
