// /dev/outbox, in demo mode only (config.ts isDemoMode): the messages the `.eml` outbox mailer
// wrote (no SMTP_URL), and the text messages the file sender wrote (no SMS_GATEWAY_URL), newest
// first, readable in the browser — what a developer or a tester
// needs to follow a journey without a mail server. Attachments (the ICS, the QR) can be
// downloaded. It holds everyone's management links, so it answers requests made on this
// machine only; any other gets the 404 of a route that does not exist.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { sendPage } from '../web/render.ts';

const EML = /^[\w.@-]+\.eml$/;
const MessageParams = z.object({ file: z.string().regex(EML) });

const TXT = /^[\w.@-]+\.txt$/;

/** The files of `dir` whose names match (none when it does not exist yet). */
async function listFiles(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => pattern.test(f));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The text messages (adapters/sms/file-sms-sender.ts: "To: …", a blank line, the text), newest first. */
async function textMessages(dir: string | null) {
  if (!dir) return [];
  const files = (await listFiles(dir, TXT)).slice(0, 500);
  const messages = await Promise.all(
    files.map(async (file) => {
      const path = join(dir, file);
      const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      const [head = '', ...body] = content.split('\n\n');
      return { to: head.replace(/^To: /, ''), text: body.join('\n\n').trim(), date: info.mtime };
    }),
  );
  return messages.sort((a, b) => b.date.getTime() - a.date.getTime());
}

async function parsed(dir: string, file: string) {
  const params = MessageParams.safeParse({ file });
  if (!params.success) throw new DomainError('ROUTE_NOT_FOUND');
  const raw = await readFile(join(dir, params.data.file)).catch(() => null);
  if (!raw) throw new DomainError('ROUTE_NOT_FOUND');
  return simpleParser(raw);
}

const IPV4_LOOPBACK = /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i;

/**
 * Made on this machine: the socket's own address is loopback (never request.ip, which a
 * trusted proxy's X-Forwarded-For sets) and no proxy forwarded it — a reverse proxy on the
 * same machine connects from 127.0.0.1 on behalf of anyone, but says so in a header.
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  const address = request.raw.socket.remoteAddress ?? '';
  const { headers } = request;
  const forwarded =
    headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined;
  return (address === '::1' || IPV4_LOOPBACK.test(address)) && !forwarded;
}

export const devOutboxPages =
  (dir: string, smsDir: string | null): FastifyPluginAsync =>
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      if (isLocalRequest(request)) return;
      reply.callNotFound();
      return reply;
    });

    app.get('/dev/outbox', async (request, reply) => {
      // Files are named after their Message-ID (not in time order): sort by the Date header.
      const files = (await listFiles(dir, EML)).slice(0, 500);
      const messages = (
        await Promise.all(
          files.map(async (file) => {
            const mail = await parsed(dir, file);
            return {
              file,
              subject: mail.subject ?? '',
              to: mail.to
                ? [mail.to]
                    .flat()
                    .map((a) => a.text)
                    .join(', ')
                : '',
              date: mail.date ?? null,
            };
          }),
        )
      ).sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0));
      return sendPage(request, reply, 'dev-outbox/list', {
        title: 'Outbox',
        messages,
        dir,
        smsDir,
        texts: await textMessages(smsDir),
      });
    });

    app.get('/dev/outbox/:file', async (request, reply) => {
      const { file } = request.params as { file: string };
      const mail = await parsed(dir, file);
      const attachments = mail.attachments.map((a, index) => ({
        index,
        filename: a.filename ?? `attachment-${index}`,
        contentType: a.contentType,
        size: a.size,
      }));
      return sendPage(request, reply, 'dev-outbox/message', {
        title: mail.subject ?? file,
        file,
        subject: mail.subject ?? '',
        to: mail.to
          ? [mail.to]
              .flat()
              .map((a) => a.text)
              .join(', ')
          : '',
        date: mail.date ?? null,
        text: mail.text ?? '',
        attachments,
        messageId: mail.messageId ?? '',
      });
    });

    app.get('/dev/outbox/:file/attachments/:index', async (request, reply) => {
      const { file, index } = request.params as { file: string; index: string };
      const mail = await parsed(dir, file);
      const attachment = mail.attachments[Number(index)];
      if (!attachment || !/^\d+$/.test(index)) throw new DomainError('ROUTE_NOT_FOUND');
      const filename = (attachment.filename ?? `attachment-${index}`).replace(/[^\w.-]/g, '_');
      return reply
        .header('content-disposition', `attachment; filename="${filename}"`)
        .type(attachment.contentType)
        .send(attachment.content);
    });
  };
