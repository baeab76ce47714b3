// One JSON answer many clients poll (the free-slot calendar): serialised, digested and
// compressed once per answer, not per request. The answer object the use case hands back is
// the same until it changes (ports/free-slot-cache.ts), so its encodings hang off it in a
// WeakMap and go when it goes.
//   * ETag: a digest of the JSON (strong). Each content coding is its own representation, so
//     its tag carries a suffix ("…-br"); If-None-Match compares the digest alone (RFC 9110
//     §13.1.2 weak comparison), so a client that switched encodings still gets its 304.
//   * Cache-Control: no-cache: anyone may store it, nobody may reuse it without asking again,
//     so no shared cache serves it past the answer's own bound.
//   * Compression: brotli (quality 5: about a tenth of the JSON here, in a few milliseconds) or
//     gzip (level 6), made on first demand, off the event loop (zlib's thread pool).
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

type Encoding = 'br' | 'gzip' | 'identity';
/** By preference, when the client accepts several equally: the smallest first. */
const ENCODINGS: Encoding[] = ['br', 'gzip', 'identity'];

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const compressors: Record<Exclude<Encoding, 'identity'>, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzipped(body, { level: 6 }),
};

interface EncodedAnswer {
  digest: string;
  bodies: Partial<Record<Encoding, Promise<Buffer>>>;
}

const encodedAnswers = new WeakMap<object, EncodedAnswer>();

function encodedAnswerOf(answer: object, render: () => unknown): EncodedAnswer {
  let encoded = encodedAnswers.get(answer);
  if (!encoded) {
    const json = Buffer.from(JSON.stringify(render()));
    encoded = {
      digest: createHash('sha256').update(json).digest('base64url').slice(0, 32),
      bodies: { identity: Promise.resolve(json) },
    };
    encodedAnswers.set(answer, encoded);
  }
  return encoded;
}

/** Whether If-None-Match names this digest (in any of its encodings), or is `*`. */
function matches(ifNoneMatch: string | undefined, digest: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    if (tag === '*') return true;
    const opaque = tag.replace(/^"|"$/g, '');
    return opaque === digest || ENCODINGS.some((e) => opaque === `${digest}-${e}`);
  });
}

/**
 * Sends `answer` as JSON (`render` makes its body, once per answer): 304 without a body when
 * If-None-Match names it, otherwise the body in the best encoding the client accepts.
 */
export async function sendSharedAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: object,
  render: () => unknown,
): Promise<FastifyReply> {
  const encoded = encodedAnswerOf(answer, render);
  const accepted = request.headers['accept-encoding'];
  const encoding: Encoding = (accepted && negotiate(accepted, ENCODINGS)) || 'identity';
  reply
    .header('cache-control', 'no-cache')
    .header('vary', 'accept-encoding')
    .header('etag', encoding === 'identity' ? `"${encoded.digest}"` : `"${encoded.digest}-${encoding}"`);
  if (matches(request.headers['if-none-match'], encoded.digest)) return reply.code(304).send();
  if (encoding !== 'identity') {
    reply.header('content-encoding', encoding);
    // The identity body exists from the start: this only compresses it, once.
    encoded.bodies[encoding] ??= encoded.bodies.identity!.then(compressors[encoding]);
  }
  return reply.type('application/json; charset=utf-8').send(await encoded.bodies[encoding]!);
}
