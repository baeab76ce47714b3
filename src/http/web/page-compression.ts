// Pages (HTML, made per request) sent compressed when the browser accepts it: brotli at a
// quality that costs about a millisecond for a page (quality 5: a 20 KB page becomes ~4 KB),
// else gzip. Static files have their own, stronger, once-made encodings (http/web/assets.ts).
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyInstance } from 'fastify';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Below this, compressing saves less than the headers it costs. */
const MIN_BYTES = 1024;

/** Adds the onSend hook to the pages of `app` (the web plugin's scope). */
export function compressPages(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('text/html')) return payload;
    if (reply.hasHeader('content-encoding')) return payload;
    reply.header('vary', 'accept-encoding');
    const accepted = request.headers['accept-encoding'];
    const encoding = accepted ? negotiate(accepted, ['br', 'gzip', 'identity']) : undefined;
    const body = Buffer.from(payload);
    if (body.length < MIN_BYTES || (encoding !== 'br' && encoding !== 'gzip')) return payload;
    reply.header('content-encoding', encoding);
    return encoding === 'br'
      ? brotli(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 5,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        })
      : gzipped(body, { level: 6 });
  });
}
