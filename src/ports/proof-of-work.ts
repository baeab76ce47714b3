// Self-hosted proof of work (ALTCHA): a client solves a signed challenge before sending a
// code, booking or filing a request. No third party, nothing to consent to.
export interface PowContext {
  ip: string;
  /**
   * Who spends the solution: a digest of the very request when it carries an Idempotency-Key
   * (key, route, body without the solution, client: proofOfWorkOwner in app/shared/idempotent-requests.ts).
   * A retry of that same request may present its solution again; anything else gets 'replayed'.
   */
  owner?: string | undefined;
}

/** The challenge as the ALTCHA widget expects it (JSON). */
export type PowChallenge = Record<string, unknown>;

export type PowVerdict = 'ok' | 'missing' | 'invalid' | 'expired' | 'replayed';

export interface ProofOfWork {
  createChallenge(context: PowContext): Promise<PowChallenge>;
  /** Checks a solution (the widget's base64 payload) and marks it used: a second use is 'replayed'. */
  verify(payload: string | undefined, context: PowContext): Promise<PowVerdict>;
}

/** Remembers used challenges until they expire (database, or Redis with several instances). */
export interface ReplayStore {
  /**
   * True the first time a key is claimed before `expiresAt`, false afterwards — except for
   * a later claim by the same non-empty `owner`, which is true again (an idempotent retry).
   */
  claimOnce(key: string, expiresAt: Date, owner?: string): Promise<boolean>;
}
