// A real SMTP server in the test process (smtp-server on a free port), keeping every message
// it receives parsed by mailparser, so tests read codes from mail as a person would.
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope recipients (RCPT TO), lower case. */
  recipients: string[];
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port> — for createSmtpMailer. */
  url: string;
  messages: CapturedMail[];
  /** The first message (already received or yet to come) matching `predicate`. */
  waitForMessage(predicate?: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Connections accepted so far (a pooled client reuses them). */
  readonly connections: number;
  /** Refuse RCPT TO for these addresses (550), to test delivery failures. */
  rejectRecipients: Set<string>;
  close(): Promise<void>;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const messages: CapturedMail[] = [];
  const waiters: { predicate: (mail: CapturedMail) => boolean; resolve: (mail: CapturedMail) => void }[] = [];
  const rejectRecipients = new Set<string>();
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // The app's mailer keeps its pooled connections open; close() ends them after this instead
    // of smtp-server's 30 s default (a suite's teardown waited for it).
    closeTimeout: 100,
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address.toLowerCase())) {
        const refusal = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        callback(refusal);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CapturedMail = {
            recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            parsed,
          };
          messages.push(mail);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(mail)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(mail);
            }
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get connections() {
      return connections;
    },
    rejectRecipients,
    waitForMessage(predicate = () => true, timeoutMs = 5000) {
      const already = messages.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (mail: CapturedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The 8-digit code of a Créneau code message, as a person reads it ("1234 5678" → "12345678"). */
export function codeFromMail(mail: CapturedMail | ParsedMail): string {
  const parsed = 'parsed' in mail ? mail.parsed : mail;
  const match = /(\d{4}) (\d{4})/.exec(parsed.text ?? '');
  if (!match) throw new Error(`no code in message: ${parsed.subject}`);
  return `${match[1]}${match[2]}`;
}
