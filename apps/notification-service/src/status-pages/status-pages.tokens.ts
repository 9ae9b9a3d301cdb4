/** The `SmtpMailer` email goes out through, or null when no SMTP server is configured. */
export const SMTP_MAILER = Symbol('SMTP_MAILER');

/** The in-memory counters of the public subscribe route's per-address limit (`ThrottlerStorageService`). */
export const SUBSCRIBE_THROTTLER_STORAGE = Symbol('SUBSCRIBE_THROTTLER_STORAGE');

/** The `StatuspageSyncWorker` that mirrors pages to Atlassian Statuspage. */
export const STATUSPAGE_SYNC_WORKER = Symbol('STATUSPAGE_SYNC_WORKER');
