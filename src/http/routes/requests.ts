// Appointment requests (procedures allocated by draws): file one, view it with its place and
// estimated wait, change its preferences, withdraw it, and get its signed attestation; and
// the public check of an attestation. Filing follows direct booking exactly: proof of work,
// email code (purpose "request"), registry check where the procedure needs it,
// Idempotency-Key, the strict rate-limit budget.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApplicantUseCases } from '../../app/applicants/applicant-use-cases.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import { MAX_ATTESTATION_TOKEN_LENGTH } from '../../domain/attestation.ts';
import { URGENCY_STATUSES } from '../../domain/priority.ts';
import { MAX_REQUEST_SITES, REQUEST_STATUSES } from '../../domain/request-rules.ts';
import { idempotencyKeyOf, managementTokenOf } from '../credentials.ts';
import { IDEMPOTENCY_KEY_DOC, proofOfWorkRoute } from '../proof-of-work-guard.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import {
  ApplicantSchema,
  DepartementCode,
  EmailCodeProof,
  LanguageSchema,
  LocalDate,
  ProblemSchema,
  Slug,
} from '../schemas.ts';
import { ATTESTATION_HTML_CSP, renderAttestationHtml } from '../views/attestation-html.ts';
import { renderAttestationPdf } from '../views/attestation-pdf.ts';

const bearer = [{ managementToken: [] }];
const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
  503: ProblemSchema,
};

export const PreferencesSchema = z
  .object({
    siteIds: z
      .array(Slug)
      .min(1)
      .max(MAX_REQUEST_SITES)
      .describe('Acceptable sites of the prefecture (GET /api/prefectures/{id})'),
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .describe('Acceptable ISO weekdays: 1 = Monday … 7 = Sunday'),
    halfDays: z
      .array(z.enum(['am', 'pm']))
      .min(1)
      .max(2)
      .describe('"am": slots starting before 12:00 local time; "pm": from 12:00'),
  })
  .strict();
const UrgencyDate = LocalDate.nullable()
  .optional()
  .describe(
    'Expiry date of your residence permit or récépissé, if any: an expired or soon-expiring one is served first',
  );

export const FileRequestBody = z
  .object({
    prefectureId: DepartementCode,
    procedureId: Slug,
    preferences: PreferencesSchema,
    urgencyDate: UrgencyDate,
    applicant: ApplicantSchema,
    emailVerification: EmailCodeProof,
    altcha: z.string().max(4096).optional().describe('Solution of GET /api/pow/challenge (ALTCHA payload)'),
    language: LanguageSchema,
  })
  .strict();
export const ChangePreferencesBody = z.object({ preferences: PreferencesSchema, urgencyDate: UrgencyDate }).strict();

const StandingSchema = z.object({
  priorityClass: z.number(),
  classSize: z.number(),
  earlierInClass: z.number().describe('Requests of the class queued on an earlier day: all drawn before this one'),
  sameBatch: z.number().describe('Others of the same class and day: a lottery drawn anew at every draw orders them'),
  aheadOverall: z.number().describe('More urgent classes + earlier days + on average half of the same day'),
  waitingTotal: z.number(),
  estimatedWaitDays: z
    .union([z.number(), z.literal('unknown')])
    .describe('From the slots the draws served over the last 28 days; "unknown" without such history'),
  capacity: z.object({ windowDays: z.number(), slotsServed: z.number(), perDay: z.number().nullable() }),
});
export const RequestSchema = z.object({
  reference: z.string(),
  status: z.enum(REQUEST_STATUSES),
  prefectureId: z.string(),
  procedureId: z.string(),
  filedAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  preferences: z.object({
    siteIds: z.array(z.string()),
    weekdays: z.array(z.number()),
    halfDays: z.array(z.enum(['am', 'pm'])),
  }),
  urgencyDate: z.string().nullable(),
  urgency: z
    .object({
      source: z.enum(['registry', 'declared', 'closure']).nullable(),
      status: z.enum(URGENCY_STATUSES),
    })
    .describe(
      'A declared expiry date gives priority only once an agent has confirmed it (status "confirmed"); the registry\'s counts at once',
    ),
  queuedOn: z
    .string()
    .describe(
      'The batch: the day the request entered the queue; earlier days are drawn first, the same day by lottery',
    ),
  applicant: z.object({
    surname: z.string(),
    givenNames: z.string(),
    birthDate: z.string(),
    nationality: z.string(),
    email: z.string(),
  }),
  priorityClass: z.number().describe('0 = permit or récépissé expired; 1 = expiring soon; 2 = the rest'),
  standing: StandingSchema.nullable().describe('While waiting: position, requests ahead, estimated wait'),
  offer: z
    .object({
      slotId: z.string(),
      siteId: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      expiresAt: z.string(),
      extended: z.boolean(),
    })
    .nullable()
    .describe('The appointment a draw offered, to confirm before expiresAt'),
  check: z
    .object({ heldUntil: z.string() })
    .nullable()
    .describe(
      'Being checked by an agent (a fraud signal): out of the draws, its place kept, back in them by heldUntil at the latest',
    ),
});
export const FileRequestResponse = z.object({ request: RequestSchema, managementToken: z.string() });
export const WithdrawResponse = z.object({ request: RequestSchema, offerWithdrawn: z.boolean() });

export const VerifyAttestationBody = z
  .object({
    token: z
      .string()
      .max(MAX_ATTESTATION_TOKEN_LENGTH * 2)
      .describe('The token printed on the attestation (line breaks are ignored)'),
  })
  .strict();
export const VerifiedAttestationSchema = z.object({
  attested: z.object({
    reference: z.string(),
    prefectureId: z.string(),
    prefectureName: z.string(),
    procedureId: z.string(),
    procedureNameFr: z.string(),
    procedureNameEn: z.string(),
    surname: z.string(),
    givenNames: z.string(),
    birthDate: z.string(),
    filedAt: z.string(),
    status: z.enum(REQUEST_STATUSES),
    issuedAt: z.string(),
  }),
  current: z
    .object({ status: z.enum(REQUEST_STATUSES), checkedAt: z.string() })
    .nullable()
    .describe('The request now; null once it has been deleted under the retention schedule'),
  stillCurrent: z.boolean().describe('The request exists and its status is still the attested one'),
});

const AttestationQuery = z.object({ format: z.enum(['html', 'pdf']).optional() }).strict();

/** ?format wins; otherwise Accept: application/pdf asks for the PDF; HTML by default. */
function wantsPdf(format: 'html' | 'pdf' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'pdf';
  return typeof accept === 'string' && /(^|,)\s*application\/pdf\b/i.test(accept);
}

export const requestRoutes =
  (requests: RequestUseCases, applicants: ApplicantUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    const tokenOf = (headers: Record<string, unknown>) => managementTokenOf(headers, 'REQUEST_NOT_FOUND');

    app.post(
      '/api/requests',
      {
        config: SENSITIVE_ROUTE,
        ...proofOfWorkRoute(applicants),
        schema: {
          tags: ['requests'],
          summary: 'File an appointment request',
          description:
            'Every procedure done at a counter: one live request per identity document and procedure. Released and freed ' +
            'slots go to draws among the requests that accept them (priority from verified facts, then the day of filing, then a ' +
            'seeded lottery — never the instant of filing); only slots a draw left without a taker can be booked at once (POST /api/bookings). ' +
            'Before filing: solve a proof-of-work challenge (GET /api/pow/challenge → `altcha`) and prove the email with the code sent ' +
            'by POST /api/email-verifications (purpose "request") → `emailVerification`. Procedures that check the registry need the ' +
            'AGDREF number, surname and birth date as the registry holds them. ' +
            IDEMPOTENCY_KEY_DOC +
            ' ' +
            'The answer holds the request reference, its position in its priority class, the estimated wait, and the management ' +
            'token (shown only once). A declared `urgencyDate` gives priority only once an agent has confirmed it. A postal or online procedure is refused with 409 PROCEDURE_NOT_REQUESTABLE.',
          headers: z.object({ 'idempotency-key': z.string().optional() }).loose(),
          body: FileRequestBody,
          response: { 201: FileRequestResponse, ...problems },
        },
      },
      async (request, reply) => {
        const idempotencyKey = idempotencyKeyOf(request.headers);
        const { emailVerification, ...input } = request.body;
        const { confirmation, replayed } = await requests.fileRequest(
          { ...input, emailProof: emailVerification },
          { idempotencyKey, origin: { ip: request.ip, route: 'POST /api/requests' } },
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(confirmation);
      },
    );

    app.get(
      '/api/request',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary:
            'The request opened by the management token: status, place in the queue, estimated wait, pending offer',
          security: bearer,
          response: { 200: RequestSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return requests.viewRequest(tokenOf(request.headers));
      },
    );

    app.post(
      '/api/request/preferences',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary:
            'Change the acceptable sites, weekdays, half-days or the expiry date; the filing time (place in the queue) stays',
          security: bearer,
          body: ChangePreferencesBody,
          response: { 200: RequestSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const { preferences, urgencyDate } = request.body;
        return requests.changeRequestPreferences({
          managementToken: tokenOf(request.headers),
          preferences,
          urgencyDate,
        });
      },
    );

    app.post(
      '/api/request/reconfirm',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary:
            "Reconfirm a request paused after an unanswered offer: it takes part in draws again, in today's batch",
          security: bearer,
          response: { 200: RequestSchema, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return requests.reconfirmRequest(tokenOf(request.headers));
      },
    );

    app.post(
      '/api/request/withdraw',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'Withdraw the request; a pending offer is withdrawn with it and its slot goes back to the next draw',
          security: bearer,
          response: { 200: WithdrawResponse, ...problems },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return requests.withdrawRequest(tokenOf(request.headers));
      },
    );

    app.get(
      '/api/request/attestation',
      {
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'The signed attestation of the request: printable HTML (default) or PDF',
          description:
            'States the reference, procedure, prefecture, filing date, current status and issue date, in French and English, ' +
            'with a signed token anyone can check (POST /api/attestations/verify). HTML by default; PDF with ?format=pdf or ' +
            'Accept: application/pdf.',
          security: bearer,
          querystring: AttestationQuery,
          response: problems,
        },
      },
      async (request, reply) => {
        const attestation = await requests.attestationOfManagementToken(tokenOf(request.headers));
        // A document, not JSON: the typed reply only knows the problem bodies of this route.
        const raw = reply as unknown as FastifyReply;
        raw.header('cache-control', 'no-store');
        const filename = `attestation-${attestation.facts.reference}`;
        if (wantsPdf(request.query.format, request.headers.accept)) {
          const pdf = await renderAttestationPdf(attestation);
          return raw
            .type('application/pdf')
            .header('content-disposition', `inline; filename="${filename}.pdf"`)
            .send(Buffer.from(pdf));
        }
        return raw
          .type('text/html; charset=utf-8')
          .header('content-security-policy', ATTESTATION_HTML_CSP)
          .header('content-disposition', `inline; filename="${filename}.html"`)
          .send(await renderAttestationHtml(attestation));
      },
    );

    app.post(
      '/api/attestations/verify',
      {
        // Public, but on the strict budget: it reads the database and answers about a person.
        config: SENSITIVE_ROUTE,
        schema: {
          tags: ['requests'],
          summary: 'Check an attestation (public): the attested facts, and whether they are still current',
          description:
            'Anyone holding an attestation, a judge for instance, can check it. Anything not signed by this service ' +
            'gets one uniform 404 ATTESTATION_INVALID.',
          body: VerifyAttestationBody,
          response: { 200: VerifiedAttestationSchema, 400: ProblemSchema, 404: ProblemSchema, 429: ProblemSchema },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return requests.verifyAttestation(request.body.token, {
          ip: request.ip,
          route: 'POST /api/attestations/verify',
        });
      },
    );
  };
