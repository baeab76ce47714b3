// What the booking and manage forms share: field errors for the error summary, refusals
// turned into messages on the form (instead of an error page, so nothing typed is lost),
// and the proof-of-work check as a form check.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DomainError, type ErrorCode, isDomainError } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import { STATUS_OF } from '../problem.ts';
import { type ProofOfWorkChecks, routeOf, verifyProofOfWork, withoutOneTimeFields } from '../proof-of-work-guard.ts';
import { languageOf } from '../web/render.ts';

/** One line of the error summary; `field` is the id of the control it links to. */
export interface FieldError {
  field?: string;
  message: string;
}

/** Where the summary links a proof-of-work refusal: the widget's hint. */
export const POW_FIELD = 'pow-hint';

/** A use case's refusal; anything else is rethrown (the error page handles it). */
export function refusalOf(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  throw error;
}

/** The translated message of an error code, in the page's language. */
export function errorText(request: FastifyRequest, code: ErrorCode): string {
  return translator(languageOf(request), 'errors')(code);
}

export function fieldError(request: FastifyRequest, code: ErrorCode, field?: string): FieldError {
  return field ? { field, message: errorText(request, code) } : { message: errorText(request, code) };
}

export const statusOf = (code: ErrorCode): number => STATUS_OF[code];

/** The body of a urlencoded form, as strings (a repeated field keeps its first value). */
export function formOf(request: FastifyRequest): Record<string, string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') form[key] = first;
  }
  return form;
}

export type ProofOfWorkCheck = (
  request: FastifyRequest,
  reply: FastifyReply,
  formKey?: string,
) => Promise<DomainError | null>;

/** What differs between two posts of one form: the proof-of-work solution and the CSRF token. */
const ONE_TIME_FORM_FIELDS = ['altcha', '_csrf'];

/**
 * The API's proof-of-work check, answering its refusal instead of throwing it. `formKey`
 * (the form's idempotency key) lets a double click present the same solution twice — the
 * same form, key and client only: the same solution with another form is refused.
 */
export function proofOfWorkCheck(
  checks: Pick<ProofOfWorkChecks, 'checkProofOfWork' | 'identifyRequest' | 'proofOfWorkOwner'>,
): ProofOfWorkCheck {
  return async (request, _reply, formKey) => {
    const owner =
      formKey === undefined
        ? undefined
        : checks.proofOfWorkOwner(
            checks.identifyRequest({
              key: formKey,
              route: routeOf(request),
              client: request.ip,
              body: withoutOneTimeFields(request.body, ONE_TIME_FORM_FIELDS),
            }),
          );
    try {
      await verifyProofOfWork(checks, request, owner);
      return null;
    } catch (error) {
      return refusalOf(error);
    }
  };
}

/** A proof-of-work refusal as the error summary shows it, linked to the widget. */
export function powErrors(request: FastifyRequest, error: DomainError): FieldError[] {
  return [fieldError(request, error.code, POW_FIELD)];
}

/** Keeps the language of the link when redirecting (`/manage/open?token=…&lang=en`). */
export function keepLanguage(path: string, request: FastifyRequest): string {
  const lang = (request.query as { lang?: unknown } | undefined)?.lang;
  return lang === 'fr' || lang === 'en' ? `${path}${path.includes('?') ? '&' : '?'}lang=${lang}` : path;
}
