// Emails rendered on a thread of their own (node:worker_threads): the templates, the calendar
// event and the convocation's QR code (a few milliseconds of CPU an email) then never hold the
// thread that answers requests — which, on the embedded database, runs the database too.
// The thread starts at the first email, and again at the next one after a crash (the renders
// it held are refused: the outbox retries them). It holds no secret: the caller signs the
// convocation and sends the token. Its program: composition/render-thread.ts, through
// bin/thread.js (the build when there is one, else the sources, as bin/creneau.js).
import { Worker } from 'node:worker_threads';
import type { EmailRenderer, EmailSettings } from '../../ports/email-renderer.ts';
import type { MailAttachment, MailMessage } from '../../ports/mailer.ts';
import type { ClaimedMessage } from '../../ports/outbox.ts';

export interface RenderThread extends EmailRenderer {
  /** Refuses new renders, lets those in flight finish, then stops the thread. */
  close(): Promise<void>;
}

/** What the thread is sent, and what it answers (composition/render-thread.ts). */
export interface RenderRequest {
  id: number;
  message: ClaimedMessage;
  convocationToken: string | null;
}
export type RenderReply = { id: number; mail: MailMessage } | { id: number; error: { name: string; message: string } };

const LAUNCHER = new URL('../../../bin/thread.js', import.meta.url);

/** A Buffer crosses a thread as a plain Uint8Array: the mailer wants Buffers back. */
const withBuffers = (mail: MailMessage): MailMessage => ({
  ...mail,
  ...(mail.attachments
    ? {
        attachments: mail.attachments.map(
          (a): MailAttachment =>
            typeof a.content === 'string' || Buffer.isBuffer(a.content)
              ? a
              : { ...a, content: Buffer.from(a.content as Uint8Array) },
        ),
      }
    : {}),
});

function errorOf(reply: { name: string; message: string }): Error {
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}

/** An email renders in milliseconds: a thread silent this long is stuck, and is stopped (its renders refused, retried by the outbox). */
const STUCK_AFTER_MS = 30_000;

/** `launcher`: the thread's program (bin/thread.js; a test gives one that fails on purpose). */
export function startRenderThread(
  settings: EmailSettings,
  { launcher = LAUNCHER, stuckAfterMs = STUCK_AFTER_MS }: { launcher?: URL; stuckAfterMs?: number } = {},
): RenderThread {
  let worker: Worker | null = null;
  let closed = false;
  let nextId = 0;
  const pending = new Map<number, { resolve: (mail: MailMessage) => void; reject: (error: Error) => void }>();
  const inFlight = new Set<Promise<unknown>>();

  /** The renders the thread held are refused; the next render starts a new thread. */
  const lost = (stopped: Worker, error: Error) => {
    if (worker !== stopped) return;
    worker = null;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  const spawn = (): Worker => {
    // No inherited flags: under tests' `--import tsx` the thread would load tsx before bin/thread.js loads the build.
    const started = new Worker(launcher, { execArgv: [], workerData: { entry: 'render-thread', settings } });
    started.on('message', (reply: RenderReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      // An idle thread does not keep the process alive.
      if (pending.size === 0) started.unref();
      if ('error' in reply) waiting.reject(errorOf(reply.error));
      else waiting.resolve(withBuffers(reply.mail));
    });
    started.on('error', (error) => lost(started, error));
    started.on('exit', (code) => lost(started, new Error(`RENDER_THREAD_STOPPED: the render thread exited (${code})`)));
    return started;
  };

  return {
    render(message, convocationToken) {
      if (closed) return Promise.reject(new Error('RENDER_THREAD_CLOSED: the process is stopping'));
      worker ??= spawn();
      worker.ref();
      const id = nextId++;
      const rendered = new Promise<MailMessage>((resolve, reject) => pending.set(id, { resolve, reject }));
      const thread = worker;
      thread.postMessage({ id, message, convocationToken } satisfies RenderRequest);
      // Without an answer in time, the thread is stuck: stopped, so that the outbox's run goes on.
      const watchdog = setTimeout(() => {
        lost(thread, new Error(`RENDER_THREAD_STUCK: no answer within ${stuckAfterMs} ms`));
        void thread.terminate();
      }, stuckAfterMs).unref();
      const settled = rendered
        .catch(() => {})
        .finally(() => {
          clearTimeout(watchdog);
          inFlight.delete(settled);
        });
      inFlight.add(settled);
      return rendered;
    },
    async close() {
      closed = true;
      await Promise.all(inFlight);
      const stopping = worker;
      worker = null;
      await stopping?.terminate();
    },
  };
}
