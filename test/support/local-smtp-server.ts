import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the server accepted: the envelope, the raw message and its parsed form. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

/** How to answer a recipient: accept (null) or an SMTP reply code and text (451 retry later, 550 no such user). */
export type RecipientResponder = (address: string, n: number) => { code: number; message: string } | null;

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1 standing in for the mail relay. */
export interface LocalSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Stops the server; safe to call twice. */
  close(): Promise<void>;
}

/** Starts a plain (no TLS, no auth) SMTP server on an ephemeral port; every recipient is accepted unless `respond` says otherwise. */
export async function startLocalSmtpServer(respond: RecipientResponder = () => null): Promise<LocalSmtpServer> {
  const messages: ReceivedMail[] = [];
  let recipients = 0;
  let closed = false;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      recipients += 1;
      const refusal = respond(address.address, recipients);
      if (refusal === null) return callback();
      return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        server.close(() => resolve());
      }),
  };
}
