// Every refusal Créneau can give, with a stable code. The domain and the use cases raise
// them; only http/problem.ts turns a code into an HTTP status (RFC 9457 problem+json).
// The table is also published at /api/errors and in docs/ERRORS.md.

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: 'The request does not match the expected shape; see `errors` for each field.',
  MALFORMED_BODY: 'The body could not be parsed (invalid JSON or encoding).',
  MALFORMED_REQUEST: 'The HTTP request itself could not be parsed.',
  HEADERS_TOO_LARGE: 'The request headers are larger than the server accepts.',
  REQUEST_TIMEOUT: 'The request was not received whole in time (30 s); send it again.',
  UNSUPPORTED_MEDIA_TYPE: 'Send JSON with Content-Type: application/json.',
  PAYLOAD_TOO_LARGE: 'The body is larger than the server accepts.',
  ROUTE_NOT_FOUND: 'No such route or method.',
  PREFECTURE_NOT_FOUND: 'No prefecture with this département code.',
  SITE_NOT_FOUND: 'No such site, or it does not belong to the prefecture asked.',
  PROCEDURE_NOT_FOUND: 'No such procedure in the catalogue.',
  PROCEDURE_NOT_BOOKABLE_DIRECTLY:
    'This procedure takes no appointment: it is filed by post or online (see its instructions).',
  DATE_RANGE_INVALID: 'The date range is malformed, reversed or longer than allowed.',
  IDENTITY_PROOF_MISMATCH: 'This procedure needs another identity proof (AGDREF number or passport number).',
  SLOT_NOT_FOUND: 'No such slot.',
  SLOT_UNAVAILABLE:
    'This slot cannot be booked: not open (every released or freed slot goes to a draw first), past, withdrawn, or for another procedure. File a request instead.',
  SLOT_TAKEN: 'Someone else booked this slot first. Choose another one.',
  ALREADY_BOOKED_FOR_PROCEDURE: 'This person already has an active appointment for this procedure.',
  IDENTITY_MISMATCH:
    'This identity document was already given with other names, birth date or nationality. One document is one person: check what you typed, or call the prefecture if the earlier details were wrong.',
  COOLING_OFF:
    'Too many withdrawals or cancellations for this procedure recently (3 within 30 days): a new request or booking is possible again from `details.retryAfter`.',
  EMAIL_CAP_REACHED: 'This email address already holds the maximum number of active appointments.',
  IDEMPOTENCY_KEY_INVALID: 'Idempotency-Key must be 8 to 128 visible ASCII characters.',
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was already used for another request (another body, route or client).',
  IDEMPOTENCY_IN_PROGRESS: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  PROOF_OF_WORK_REQUIRED: 'Solve a proof-of-work challenge (GET /api/pow/challenge) and send the solution as `altcha`.',
  PROOF_OF_WORK_REJECTED: 'The proof-of-work solution is invalid, expired or already used; solve a new challenge.',
  MANAGEMENT_TOKEN_MISSING: 'Send the management token as Authorization: Bearer <token>.',
  APPOINTMENT_NOT_FOUND: 'No appointment matches this management token.',
  APPOINTMENT_NOT_ACTIVE: 'This appointment is cancelled, past or already handled.',
  RESCHEDULE_LIMIT_REACHED: 'This appointment was already rescheduled the maximum number of times.',
  RESCHEDULE_NEEDS_EMAIL:
    'This appointment was booked by phone or at the counter without an email address: no code can be sent; call the prefecture or come to the counter to change it.',
  SMS_GATEWAY_KEY_INVALID:
    'The inbound text-message route is for the SMS gateway: send its key (SMS_GATEWAY_KEY) as Authorization: Bearer <key>.',
  SERVICE_UNAVAILABLE: 'A dependency (database) is unavailable; try again later.',
  INTERNAL_ERROR: 'Unexpected error. It has been logged.',
  IDENTITY_NOT_VERIFIED: 'The AGDREF number, surname and birth date do not match the registry.',
  PERMIT_EXPIRED: 'Your permit has expired: this procedure is not the right one; see `details.alternativeProcedureId`.',
  OUTSIDE_RENEWAL_WINDOW:
    'Renewal opens N months before expiry and closes M months before it (4 to 2 by default); see `details.opensOn` and `details.closesOn`.',
  REGISTRY_UNAVAILABLE: 'The registry cannot be reached; try again later.',
  REGISTRY_ATTEMPTS_LIMITED: 'Too many identity checks; try again later.',
  RATE_LIMITED: 'Too many requests from this address; retry after the delay in Retry-After.',
  EMAIL_CODE_SEND_LIMITED:
    'Too many codes were asked for this email address or from this network; retry after the delay in Retry-After.',
  EMAIL_CODE_INVALID:
    'The code is wrong, expired or already used. Ask for a new one after 5 wrong tries, or after a mistake in the AGDREF number (a code serves one number).',
  CONVOCATION_INVALID: 'This convocation is not valid: unknown, altered, cancelled or expired.',
  APPOINTMENT_STATUS_CONFLICT:
    'The appointment is not in the status this action starts from (e.g. served twice, or another agent changed it meanwhile); see `details.status`.',
  CHECK_IN_NOT_TODAY:
    'A person is checked in on the day of their appointment only (local time of the prefecture); see `details.appointmentDate`.',
  NO_SHOW_TOO_EARLY:
    'A no-show can be recorded 15 minutes after the start of the appointment, not before; see `details.from`.',
  CHECK_IN_UNDO_TOO_LATE: 'The last check-in step can be taken back on the day it was made only.',
  REQUEST_NOT_FOUND: 'No appointment request matches this management token.',
  OFFER_NOT_FOUND: 'This request has no open offer: none was made yet, or it was already answered.',
  OFFER_EXPIRED: 'The deadline of this offer has passed; the slot went back to the draw.',
  OFFER_ALREADY_EXTENDED: 'The deadline of this offer was already extended once.',
  OFFER_NOT_EXTENDABLE:
    'The deadline of this offer cannot be moved later: answers are needed 2 hours before the appointment.',
  OFFER_WITHDRAWN:
    'The slot of this offer was withdrawn by the prefecture; your request is back in the queue with its place.',
  DRAW_NOT_FOUND: 'No draw with this id.',
  PROCEDURE_NOT_REQUESTABLE:
    'This procedure takes no appointment requests: it is filed by post or online; see `details`.',
  ALREADY_REQUESTED_FOR_PROCEDURE: 'This person already has a live appointment request for this procedure.',
  REQUEST_NOT_ACTIVE:
    'This request is withdrawn, closed or already turned into an appointment: it can no longer be changed.',
  REQUEST_NOT_PAUSED: 'This request is not paused: only a request paused after an unanswered offer is reconfirmed.',
  ATTESTATION_INVALID: 'This attestation is not valid: malformed, altered or not issued by this service.',
  AGENT_LOGIN_FAILED:
    'Wrong email, password or code, or the account is disabled (one answer for all, so that nobody learns which accounts exist).',
  AGENT_LOCKED: 'Too many failed log-ins from this address: log-ins to this account from it are paused for 15 minutes.',
  AGENT_SESSION_INVALID: 'Log in again: the agent session is missing, expired or revoked, or the account is disabled.',
  AGENT_EMAIL_TAKEN: 'An agent account already has this email address.',
  FORBIDDEN_SCOPE: 'This agent may not see or change this: another prefecture or site, or a task of another role.',
  CSRF_TOKEN_INVALID:
    'The form is out of date or was not sent from Créneau (missing or wrong CSRF token): reload the page and send it again.',
  CALLBACK_NOT_FOUND: 'No call-back with this id in the queues this agent may see.',
  CALLBACK_ALREADY_TAKEN: 'Another agent took this call-back first; see `details.assignedAgentId`.',
  CALLBACK_CHANGED:
    'The call-back changed since it was read (another agent acted on it); reload it and try again. See `details.version`.',
  CALLBACK_ALREADY_OPEN: 'This phone number already has another open call-back at this prefecture: handle that one.',
  AGENT_NOT_FOUND: 'No agent account with this id among the accounts this agent manages.',
  AGENT_SELF_ACTION:
    'An agent cannot disable their own account nor reset their own second factor: ask another supervisor or an administrator.',
  COUNTER_NOT_FOUND: 'No counter with this id at the sites this agent may configure.',
  OPENING_RULE_NOT_FOUND: 'No opening rule with this id at the counters this agent may configure.',
  COUNTER_NAME_TAKEN: 'This site already has a counter with this name.',
  CLOSURE_CONFIRMATION_REQUIRED:
    'Booked appointments fall in this closure: send it again with `confirmAppointments` equal to `details.count` (the appointments listed in `details.appointments` will be cancelled and their applicants told).',
  EXCEPTIONAL_OPENING_NOT_FOUND: 'No exceptional opening with this id at the counters this agent may configure.',
  URGENCY_NOT_FOUND: 'No declared urgency with this id among the live requests this agent may review.',
  URGENCY_ALREADY_REVIEWED:
    'This declared urgency was already confirmed or refused (by another agent, meanwhile); see `details.urgencyStatus`.',
  EVIDENCE_SCOPE_EMPTY:
    'Nothing in this scope: no security event, agent action, request or appointment of this prefecture in this period matches it.',
  EVIDENCE_HOLD_NOT_FOUND:
    'No active legal hold with this id among those this agent may release (placed by agents of their prefecture).',
  EVIDENCE_RECORD_NOT_FOUND:
    'A request or appointment the evidence pack names is not one of this prefecture; see `details.requestIds` and `details.appointmentIds`.',
  FRAUD_CASE_NOT_FOUND:
    'No held or flagged request or appointment with this id in the prefectures this agent may review.',
  HOLD_ALREADY_DECIDED:
    'This request is no longer held (cleared, refused, its hold lapsed, or no longer live); see `details.reviewState`.',
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Refusals that say nothing about the request itself, only about the moment: an idempotent
 * retry must try again rather than replay them.
 */
export const TRANSIENT_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
  'REGISTRY_UNAVAILABLE',
  'REGISTRY_ATTEMPTS_LIMITED',
  'RATE_LIMITED',
  'EMAIL_CODE_SEND_LIMITED',
]);

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
