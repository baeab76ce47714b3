// Every refused attempt leaves a trace for fraud detection (and evidence for a complaint).
export type SecurityReason =
  | 'pow_missing'
  | 'pow_invalid'
  | 'pow_expired'
  | 'pow_replayed'
  | 'rate_limited'
  | 'email_code_send_limited'
  | 'email_code_invalid'
  | 'registry_mismatch'
  | 'registry_limited'
  | 'registry_unavailable'
  | 'convocation_invalid'
  | 'attestation_invalid'
  /** An identity document given again with other names, birth date or nationality (migration 0012). */
  | 'identity_mismatch'
  /** An address blocked on an agent account after 5 failed log-ins (app/agents/log-in.ts). */
  | 'agent_lockout'
  /** An Idempotency-Key presented again with another body, route or client (app/shared/idempotent-requests.ts). */
  | 'idempotency_key_reused';

export interface SecurityEvent {
  ip: string | null;
  route: string;
  reason: SecurityReason;
  /** Keyed hash of the email, never the address itself. */
  emailHash?: string | null;
  identityKey?: string | null;
  details?: Record<string, unknown>;
}

export interface SecurityEventLog {
  /** Cheap on the hot path: buffered, written in batches; never throws. */
  record(event: SecurityEvent): void;
  /** Writes what is buffered (at shutdown, and in tests). */
  flush(): Promise<void>;
}
