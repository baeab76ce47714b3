// The render thread's program (adapters/mail/render-thread.ts starts it through bin/thread.js):
// renders each email it is sent and answers with the message, or with the error.
import { parentPort, workerData } from 'node:worker_threads';
import type { RenderReply, RenderRequest } from '../adapters/mail/render-thread.ts';
import { renderEmail } from '../app/notifications/render-email.ts';
import type { EmailSettings } from '../ports/email-renderer.ts';

const { settings } = workerData as { settings: EmailSettings };
const port = parentPort!;

port.on('message', async ({ id, message, convocationToken }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, mail: await renderEmail(settings, message, convocationToken) };
  } catch (error) {
    reply = {
      id,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message }
          : { name: 'Error', message: String(error) },
    };
  }
  port.postMessage(reply);
});
