// What the call-back use cases need from storage. The database guarantees that a phone
// number has at most one open call-back per prefecture (a partial unique index, migration
// 0005): a second one is not stored, and the caller is answered the same way.
import type { CallbackLanguage, CallbackStatus } from '../domain/callback-rules.ts';
import type { AuditEventInput } from './agent-store.ts';

export type { CallbackStatus } from '../domain/callback-rules.ts';

export interface NewCallbackRequest {
  prefectureId: string;
  /** Normalised (domain/callback-rules.ts normalisePhoneNumber). */
  phone: string;
  language: CallbackLanguage;
  situation: string;
  createdAt: Date;
  /** Read to the caller (domain/booking-reference.ts format); the contact form always gives one. */
  reference?: string;
}

/** What the confirmation page repeats to the person who asked to be called back. */
export interface CallbackConfirmation {
  reference: string;
  phone: string;
  prefectureId: string;
}

export interface CallbackRequest extends Omit<NewCallbackRequest, 'reference'> {
  id: string;
  /** What the caller was told on the confirmation page; null for call-backs queued before references. */
  reference: string | null;
  status: CallbackStatus;
  /** The id of the agent who took it; null while nobody has. */
  assignedAgent: string | null;
  /** Their name, for display (null when nobody has it). */
  assignedAgentName: string | null;
  /** Free-text notes from before the queue kept a history (migration 0011); no longer written. */
  notes: string;
  updatedAt: Date;
  /** Counts the changes: what an agent saw, sent back with a change (optimistic concurrency). */
  version: number;
}

/** One entry of a call-back's history: a status change, a note, or both. */
export interface CallbackNote {
  id: string;
  callbackId: string;
  /** null for notes carried over from before the history (migration 0011). */
  agentId: string | null;
  agentName: string | null;
  at: Date;
  statusBefore: CallbackStatus | null;
  statusAfter: CallbackStatus | null;
  text: string;
}

/** One page of an agents' queue: oldest first; `after` is the last row of the previous page. */
export interface CallbackQueueQuery {
  /** null: every prefecture (national administrators only; the use case decides). */
  prefectureId: string | null;
  status: CallbackStatus;
  /** Only the call-backs assigned to this agent ("assigned to me"). */
  assignedTo?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export interface CallbackStore {
  /**
   * Stores the call-back, unless the number already has an open one at this prefecture
   * (stored: false, nothing written). An unknown prefecture is PREFECTURE_NOT_FOUND.
   */
  /**
   * `stored` false when the number already waits for a call from this prefecture; `reference`
   * is then that call-back's (given it now if it had none).
   */
  insertCallbackRequest(callback: NewCallbackRequest): Promise<{ stored: boolean; reference: string | null }>;
  /** The call-back still waiting for a call of this reference; null otherwise. */
  findWaitingCallback(reference: string): Promise<CallbackConfirmation | null>;
  /** The agents' queue of a prefecture in one status, oldest first. */
  listCallbackRequests(query: CallbackQueueQuery): Promise<CallbackRequest[]>;
  /** A malformed or unknown id is null. */
  findCallbackRequest(id: string): Promise<CallbackRequest | null>;
  /** The history of these call-backs, oldest entry first. */
  listCallbackNotes(callbackIds: readonly string[]): Promise<CallbackNote[]>;
  /** Deletes the resolved and unreachable call-backs last changed before `before` (and their history); returns how many. */
  purgeClosedCallbacks(before: Date): Promise<number>;
  transaction<T>(work: (tx: CallbackTransaction) => Promise<T>): Promise<T>;
}

/**
 * One conditional UPDATE: changes the call-back only if it is still as the agent saw it.
 * null when the condition failed (or the id is unknown): the use case reads it again to say why.
 */
export interface AssignCallback {
  id: string;
  /** The new assignee (null: nobody). */
  agentId: string | null;
  /** Only if the version is still this one. */
  expectedVersion?: number;
  /** Only if nobody has it yet ("take it"), or `agentId` already has it. */
  onlyIfUnassigned?: boolean;
  at: Date;
}

export interface ChangeCallbackStatus {
  id: string;
  status: CallbackStatus;
  expectedVersion?: number;
  /** Only if assigned to this agent or to nobody — and then it becomes theirs (a counter agent's change). */
  onlyIfFreeOrAssignedTo?: string;
  /** Back to 'to_call' releases it (assignee cleared) for anyone to take. */
  release: boolean;
  at: Date;
}

/** Writes of one call-back change, its history entry and its audit event, in one transaction. */
export interface CallbackTransaction {
  assignCallback(change: AssignCallback): Promise<CallbackRequest | null>;
  /** CALLBACK_ALREADY_OPEN when going back to 'to_call' while the number has another open call-back. */
  changeCallbackStatus(change: ChangeCallbackStatus): Promise<CallbackRequest | null>;
  insertCallbackNote(note: Omit<CallbackNote, 'id' | 'agentName'>): Promise<void>;
  insertAuditEvent(event: AuditEventInput): Promise<void>;
}
