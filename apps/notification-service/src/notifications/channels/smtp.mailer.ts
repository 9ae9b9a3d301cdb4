import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../../config/status-page-notifications.config';
import type { QueuedEmail } from '../../status-pages/domain/subscription-email';
import type { AttemptReport } from './http.sender';
import { RESPONSE_EXCERPT_BYTES } from './http.sender';

/** The least nodemailer's SMTP transport answers with, or fails with. */
interface SentInfo {
  response?: unknown;
}
interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/** One email to send: a queued email and the delivery it belongs to (its id makes the `Message-ID`). */
export interface OutgoingEmail {
  deliveryId: string;
  email: QueuedEmail;
}

const USER_AGENT = 'Fireline-Notifications/1';

/** `Status <status@acme.example>` -> `acme.example`; the right-hand side of every `Message-ID`. */
export function messageIdDomainOf(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1]?.toLowerCase() ?? 'fireline.invalid';
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function excerpt(text: string): string | null {
  if (text === '') return null;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= RESPONSE_EXCERPT_BYTES ? text : bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

/**
 * Sends email over SMTP with nodemailer's SMTP transport (pooled connections), as configured by
 * `SmtpConfig`: STARTTLS required by default, certificates verified, every wait bounded by
 * `timeoutMs`. Every message gets `Message-ID: <deliveryId@domain of From>` (the same on every retry
 * of one delivery, so that receiving systems can tell a repeat), `Auto-Submitted: auto-generated`
 * (RFC 3834) and, for notifications, `List-Unsubscribe: <url>` (RFC 2369) with
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
 *
 * Never throws from `send`: the server's reply becomes an `smtp_reply` outcome with its code (2yz
 * delivered, 4yz retried, 5yz permanent); an authentication failure is reported as a network error (a
 * configuration problem of this service, retried rather than blamed on the recipient); timeouts and
 * connection errors as such.
 */
export class SmtpMailer {
  private readonly logger = new Logger(SmtpMailer.name);
  private readonly transport: Transporter;
  /** `smtp://host:port`: the circuit breaker key of every email (one server carries them all). */
  readonly origin: string;

  constructor(
    readonly config: SmtpConfig,
    transport?: Transporter,
  ) {
    this.origin = `smtp://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    this.transport =
      transport ??
      createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        requireTLS: !config.secure && config.requireTls,
        auth: config.auth ?? undefined,
        tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
        connectionTimeout: config.timeoutMs,
        greetingTimeout: config.timeoutMs,
        socketTimeout: config.timeoutMs,
        pool: true,
        maxConnections: 2,
      });
  }

  /** Logs, loudly, every way the SMTP settings are weaker than the defaults (call once at start-up). */
  announce(): void {
    this.logger.log(`Email goes out through ${this.origin} as ${this.config.from}`);
    if (!this.config.secure && !this.config.requireTls) this.logger.warn('SMTP_REQUIRE_TLS=false: email may be sent without TLS');
    if (!this.config.tlsRejectUnauthorized) this.logger.warn('SMTP_TLS_REJECT_UNAUTHORIZED=false: the SMTP server certificate is not verified');
  }

  /** Sends one email; the outcome of the attempt (never throws). */
  async send(outgoing: OutgoingEmail, clock: () => Date = () => new Date()): Promise<AttemptReport> {
    const startedAt = clock();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const { email } = outgoing;
    const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated', 'X-Mailer': USER_AGENT, 'X-Fireline-Delivery-Id': outgoing.deliveryId };
    if (email.listUnsubscribe !== null) {
      headers['List-Unsubscribe'] = `<${email.listUnsubscribe}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const info = (await this.transport.sendMail({
        from: this.config.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${outgoing.deliveryId}@${messageIdDomainOf(this.config.from)}>`,
        headers,
      })) as SentInfo;
      const response = textOf(info.response);
      const code = Number(/^(\d{3})/.exec(response)?.[1] ?? 250);
      return { startedAt, durationMs: elapsed(), outcome: { kind: 'smtp_reply', code, message: response }, responseExcerpt: excerpt(response) };
    } catch (raw) {
      const error = (typeof raw === 'object' && raw !== null ? raw : {}) as SmtpError;
      const code = textOf(error.code);
      const message = textOf(error.message) || String(raw);
      const response = textOf(error.response);
      if (typeof error.responseCode === 'number' && code !== 'EAUTH') {
        return { startedAt, durationMs: elapsed(), outcome: { kind: 'smtp_reply', code: error.responseCode, message: response || message }, responseExcerpt: excerpt(response || message) };
      }
      const outcome: AttemptReport['outcome'] =
        code === 'ETIMEDOUT' || /timeout/i.test(message)
          ? { kind: 'timeout', timeoutMs: this.config.timeoutMs }
          : { kind: 'network_error', error: code === 'EAUTH' ? `SMTP authentication failed (${response || message})` : `${code ? `${code}: ` : ''}${message}` };
      return { startedAt, durationMs: elapsed(), outcome, responseExcerpt: excerpt(response) };
    }
  }

  close(): void {
    this.transport.close();
  }
}
