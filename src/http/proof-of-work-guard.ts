// The proof-of-work check of the routes that send a code, book, file a request or
// reschedule: Fastify hooks, so a request without a valid, unused solution never reaches a
// use case. With an Idempotency-Key, the key replays only the very same request (same route,
// body without its solution, client): its stored answer comes back without the work, nor the
// proof of work, being done again; any other request under the key is refused (see
// app/shared/idempotent-requests.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApplicantUseCases } from '../app/applicants/applicant-use-cases.ts';
import { isDomainError } from '../domain/errors.ts';
import type { StoredResponse } from '../ports/idempotent-response-store.ts';
import { idempotencyKeyOf } from './credentials.ts';

/** The applicants' use cases the guard calls (app/applicants/applicant-use-cases.ts). */
export type ProofOfWorkChecks = Pick<
  ApplicantUseCases,
  | 'checkProofOfWork'
  | 'noteIdempotencyKeyReused'
  | 'identifyRequest'
  | 'proofOfWorkOwner'
  | 'earlierAnswer'
  | 'claimRequest'
  | 'finishRequest'
>;

/** "POST /api/bookings": the method and the route pattern. */
export const routeOf = (request: FastifyRequest): string =>
  `${request.method} ${request.routeOptions.url ?? request.url}`;

/** A body without the fields that differ between two sends of one request: the one-time solution, a page's CSRF token. */
export function withoutOneTimeFields(body: unknown, fields: readonly string[] = ['altcha']): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body ?? null;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !fields.includes(name)));
}

/**
 * Checks the request's solution; throws PROOF_OF_WORK_REQUIRED or _REJECTED. `owner`: who
 * may present the solution again (proofOfWorkOwner of this very request); none: single use.
 */
export async function verifyProofOfWork(
  checks: Pick<ProofOfWorkChecks, 'checkProofOfWork'>,
  request: FastifyRequest,
  owner?: string,
): Promise<void> {
  const body = request.body as { altcha?: unknown } | undefined;
  const payload = typeof body?.altcha === 'string' ? body.altcha : undefined;
  await checks.checkProofOfWork({ payload, ip: request.ip, route: routeOf(request), owner });
}

function replay(reply: FastifyReply, answer: StoredResponse): FastifyReply {
  if (answer.contentType) reply.header('content-type', answer.contentType);
  return reply
    .status(answer.status)
    .header('idempotent-replayed', 'true')
    .header('cache-control', 'no-store')
    .send(answer.body);
}

/** The problem code of an answer, if it is one. */
function codeOf(contentType: string | null, body: string): string | undefined {
  if (!contentType?.startsWith('application/problem+json')) return undefined;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** What the OpenAPI document says of Idempotency-Key on every route a proof of work guards. */
export const IDEMPOTENCY_KEY_DOC =
  'Send an Idempotency-Key header (8–128 visible ASCII characters) to retry safely: the very same request (same body, ' +
  'from the same client) gets the stored response with Idempotent-Replayed: true, without the work being done again; the ' +
  'same key with another body, route or client is refused (422 IDEMPOTENCY_KEY_REUSED), and while the first request ' +
  'still runs, 409 IDEMPOTENCY_IN_PROGRESS with Retry-After. Keys are kept 24 hours.';

/**
 * The hooks of a route a proof of work guards: `{ ...proofOfWork }` in its options.
 * preHandler: key → earlier answer (replayed) or refusal → proof of work → claim;
 * onSend: the answer of a claimed request is kept under its key (or the claim released).
 */
export function proofOfWorkRoute(checks: ProofOfWorkChecks) {
  /** The key digest of each request that claimed its key and runs its handler. */
  const claims = new WeakMap<FastifyRequest, string>();

  // biome-ignore lint/suspicious/noConfusingVoidType: Fastify's hook type: nothing, or the reply already sent
  async function preHandler(request: FastifyRequest, reply: FastifyReply): Promise<void | FastifyReply> {
    const key = idempotencyKeyOf(request.headers);
    if (key === undefined) return verifyProofOfWork(checks, request);
    const authorization = request.headers.authorization;
    const identified = checks.identifyRequest({
      key,
      route: routeOf(request),
      client: request.ip,
      body: withoutOneTimeFields(request.body),
      bearer: typeof authorization === 'string' ? authorization : null,
    });
    try {
      const earlier = await checks.earlierAnswer(identified);
      if (earlier) return replay(reply, earlier);
      await verifyProofOfWork(checks, request, checks.proofOfWorkOwner(identified));
      const answer = await checks.claimRequest(identified);
      if (answer) return replay(reply, answer);
    } catch (error) {
      if (isDomainError(error) && error.code === 'IDEMPOTENCY_IN_PROGRESS')
        reply.header('retry-after', String(error.details?.retryAfterSeconds ?? 1));
      if (isDomainError(error) && error.code === 'IDEMPOTENCY_KEY_REUSED') {
        checks.noteIdempotencyKeyReused({ ip: request.ip, route: identified.route });
      }
      throw error;
    }
    claims.set(request, identified.keyDigest);
  }

  async function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const keyDigest = claims.get(request);
    if (keyDigest === undefined) return payload;
    claims.delete(request);
    const contentType = (reply.getHeader('content-type') as string | undefined) ?? null;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    try {
      await checks.finishRequest(
        keyDigest,
        body === null ? null : { status: reply.statusCode, contentType, body, code: codeOf(contentType, body) },
      );
    } catch (error) {
      // The answer still goes out; the claim ends with its lease (a retry then runs the work again).
      request.log.error({ err: error }, 'idempotent answer not kept');
    }
    return payload;
  }

  return { preHandler, onSend };
}
