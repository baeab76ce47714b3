// The fault run's mail server: smtp-server in this process, keeping every message with the
// instant it arrived (for "late" confirmations). Unlike test/support/smtp.ts it survives
// clients that vanish mid-conversation — the run kills them (SIGKILL), and smtp-server emits
// those resets as 'error' events, fatal without a listener.
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients, lower case. */
  recipients: string[];
  parsed: ParsedMail;
  /** When the message was received whole (ms epoch). */
  at: number;
}

type Waiter = { predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void };

export class MailSink {
  readonly messages: ReceivedMail[] = [];
  /** Connections that ended in an error (a killed sender). */
  connectionErrors = 0;
  private readonly waiters = new Set<Waiter>();

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<MailSink> {
    let sink: MailSink | null = null;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            sink!.receive({
              recipients: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              parsed,
              at: Date.now(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    server.on('error', () => {
      if (sink) sink.connectionErrors++;
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.server.address() as { port: number };
    sink = new MailSink(server, `smtp://127.0.0.1:${port}`);
    return sink;
  }

  private receive(mail: ReceivedMail): void {
    this.messages.push(mail);
    for (const waiter of this.waiters) {
      if (!waiter.predicate(mail)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(mail);
    }
  }

  /** The first message, received or to come, matching `predicate`; rejects after timeoutMs. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs: number): Promise<ReceivedMail> {
    const already = this.messages.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (mail) => {
          clearTimeout(timer);
          resolve(mail);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
