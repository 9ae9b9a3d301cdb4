import { blankAsUnset, booleanKey, integerKey } from '@fireline/config';
import { z } from 'zod';

/** Status-page subscribers and the Statuspage mirror. Durations in milliseconds. */
export interface StatusPageNotificationsConfig {
  /** `STATUS_PAGES_PUBLIC_URL`: where `/status/{slug}` is served; the base of confirmation and unsubscribe links. No trailing slash. */
  publicBaseUrl: string;
  subscribe: {
    /** Subscription requests (that pass validation) per client address per hour, per instance (`STATUS_PAGE_SUBSCRIBE_MAX_PER_IP`). */
    maxPerIpPerHour: number;
    /** Confirmation emails per address per hour, over all pages and instances (`STATUS_PAGE_SUBSCRIBE_MAX_PER_ADDRESS`). */
    maxPerAddressPerHour: number;
    /** Unconfirmed subscriptions one page may hold (`STATUS_PAGE_PENDING_SUBSCRIPTIONS_MAX`). */
    maxPendingPerPage: number;
    /** How long a confirmation link works (`STATUS_PAGE_CONFIRMATION_TTL_MS`). */
    confirmationTtlMs: number;
  };
  /** Dead-lettered notifications in a row after which a subscriber is quarantined (`STATUS_PAGE_SUBSCRIBER_QUARANTINE_AFTER`). */
  quarantineAfterDeadLetters: number;
  statuspage: {
    /** Atlassian Statuspage's Manage API v1 base (`STATUSPAGE_API_URL`). */
    apiUrl: string;
    /** Least time between two requests with one API key, across the process (`STATUSPAGE_MIN_REQUEST_INTERVAL_MS`; Statuspage allows 1 request/s per key). */
    minRequestIntervalMs: number;
  };
}

export const DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG: Readonly<StatusPageNotificationsConfig> = Object.freeze({
  publicBaseUrl: 'http://localhost:3000',
  subscribe: { maxPerIpPerHour: 20, maxPerAddressPerHour: 3, maxPendingPerPage: 1_000, confirmationTtlMs: 86_400_000 },
  quarantineAfterDeadLetters: 3,
  statuspage: { apiUrl: 'https://api.statuspage.io/v1', minRequestIntervalMs: 1_000 },
});

/**
 * The SMTP server notification-service sends email through (nodemailer's SMTP transport). Durations in
 * milliseconds.
 * - `secure`: TLS from the first byte (port 465); false: plain connection upgraded with STARTTLS.
 * - `requireTls`: refuse to send unless STARTTLS succeeds (default true; only with `secure` false).
 * - `tlsRejectUnauthorized`: refuse a server certificate that does not verify (default true).
 * - `timeoutMs`: connection, greeting and socket inactivity timeout, each.
 */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string } | null;
  /** `SMTP_FROM`: the From address (`Status <status@example.com>`). */
  from: string;
  requireTls: boolean;
  tlsRejectUnauthorized: boolean;
  timeoutMs: number;
}

const absoluteHttpUrl = (fallback: string) =>
  blankAsUnset(
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an absolute http(s) URL')
      .default(fallback),
  );

/** The status-page keys of notification-service. */
export const statusPageNotificationsSchema = z.object({
  STATUS_PAGES_PUBLIC_URL: absoluteHttpUrl(DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.publicBaseUrl),
  STATUS_PAGE_SUBSCRIBE_MAX_PER_IP: integerKey(1, 1_000_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.subscribe.maxPerIpPerHour),
  STATUS_PAGE_SUBSCRIBE_MAX_PER_ADDRESS: integerKey(1, 1_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.subscribe.maxPerAddressPerHour),
  STATUS_PAGE_PENDING_SUBSCRIPTIONS_MAX: integerKey(1, 10_000_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.subscribe.maxPendingPerPage),
  STATUS_PAGE_CONFIRMATION_TTL_MS: integerKey(60_000, 30 * 86_400_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.subscribe.confirmationTtlMs),
  STATUS_PAGE_SUBSCRIBER_QUARANTINE_AFTER: integerKey(1, 1_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.quarantineAfterDeadLetters),
  STATUSPAGE_API_URL: absoluteHttpUrl(DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.statuspage.apiUrl),
  STATUSPAGE_MIN_REQUEST_INTERVAL_MS: integerKey(1, 60_000, DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG.statuspage.minRequestIntervalMs),
});

export function statusPageNotificationsConfigOf(e: z.output<typeof statusPageNotificationsSchema>): StatusPageNotificationsConfig {
  return {
    publicBaseUrl: e.STATUS_PAGES_PUBLIC_URL.replace(/\/+$/, ''),
    subscribe: {
      maxPerIpPerHour: e.STATUS_PAGE_SUBSCRIBE_MAX_PER_IP,
      maxPerAddressPerHour: e.STATUS_PAGE_SUBSCRIBE_MAX_PER_ADDRESS,
      maxPendingPerPage: e.STATUS_PAGE_PENDING_SUBSCRIPTIONS_MAX,
      confirmationTtlMs: e.STATUS_PAGE_CONFIRMATION_TTL_MS,
    },
    quarantineAfterDeadLetters: e.STATUS_PAGE_SUBSCRIBER_QUARANTINE_AFTER,
    statuspage: { apiUrl: e.STATUSPAGE_API_URL.replace(/\/+$/, ''), minRequestIntervalMs: e.STATUSPAGE_MIN_REQUEST_INTERVAL_MS },
  };
}

const optionalText = () => blankAsUnset(z.string().optional());

/**
 * `SMTP_URL` (`smtp://user:password@host:587`, `smtps://…:465`) or `SMTP_HOST` with `SMTP_PORT`,
 * `SMTP_SECURE`, `SMTP_USER`, `SMTP_PASSWORD`; `SMTP_FROM` is required once either is set. Neither set:
 * no SMTP (email subscriptions are refused).
 */
export const smtpSchema = z
  .object({
    SMTP_URL: optionalText(),
    SMTP_HOST: optionalText(),
    SMTP_PORT: blankAsUnset(z.coerce.number().int().min(1).max(65_535).optional()),
    SMTP_SECURE: blankAsUnset(z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }).optional()),
    SMTP_USER: optionalText(),
    SMTP_PASSWORD: optionalText(),
    SMTP_FROM: optionalText(),
    SMTP_REQUIRE_TLS: booleanKey(true),
    SMTP_TLS_REJECT_UNAUTHORIZED: booleanKey(true),
    SMTP_TIMEOUT_MS: integerKey(100, 300_000, 10_000),
  })
  .superRefine((env, ctx) => {
    if (env.SMTP_URL !== undefined && env.SMTP_HOST !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'set SMTP_URL or SMTP_HOST, not both' });
    }
    if (env.SMTP_URL !== undefined) {
      let url: URL | null = null;
      try {
        url = new URL(env.SMTP_URL);
      } catch {
        // reported below
      }
      if (url === null || !['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
        ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'must be an smtp:// or smtps:// URL with a host' });
      }
    }
    const configured = env.SMTP_URL !== undefined || env.SMTP_HOST !== undefined;
    if (configured && env.SMTP_FROM === undefined) ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'is required when SMTP_URL or SMTP_HOST is set' });
    if (!configured && [env.SMTP_PORT, env.SMTP_SECURE, env.SMTP_USER, env.SMTP_PASSWORD, env.SMTP_FROM].some((v) => v !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_HOST'], message: 'SMTP_* keys are set but neither SMTP_URL nor SMTP_HOST' });
    }
    if ((env.SMTP_USER === undefined) !== (env.SMTP_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'SMTP_USER and SMTP_PASSWORD go together' });
    }
  });

/** The parsed SMTP keys as an `SmtpConfig`, or null when no SMTP server is configured. */
export function smtpConfigOf(e: z.output<typeof smtpSchema>): SmtpConfig | null {
  const common = { from: e.SMTP_FROM ?? '', requireTls: e.SMTP_REQUIRE_TLS, tlsRejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED, timeoutMs: e.SMTP_TIMEOUT_MS };
  if (e.SMTP_URL !== undefined) {
    const url = new URL(e.SMTP_URL);
    const secure = url.protocol === 'smtps:';
    const user = decodeURIComponent(url.username);
    return {
      ...common,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
      secure,
      auth: user === '' ? null : { user, pass: decodeURIComponent(url.password) },
    };
  }
  if (e.SMTP_HOST === undefined) return null;
  const secure = e.SMTP_SECURE === 'true' || e.SMTP_SECURE === '1';
  return {
    ...common,
    host: e.SMTP_HOST,
    port: e.SMTP_PORT ?? (secure ? 465 : 587),
    secure,
    auth: e.SMTP_USER !== undefined && e.SMTP_PASSWORD !== undefined ? { user: e.SMTP_USER, pass: e.SMTP_PASSWORD } : null,
  };
}
