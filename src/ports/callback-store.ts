// What the call-back use cases need from storage. The database guarantees that a phone
// number has at most one open call-back per prefecture (a partial unique index, migration
// 0005): a second one is not stored, and the caller is answered the same way.
import type { CallbackLanguage, CallbackStatus } from '../domain/callback-rules.ts';

export type { CallbackStatus } from '../domain/callback-rules.ts';

export interface NewCallbackRequest {
  prefectureId: string;
  /** Normalised (domain/callback-rules.ts normalisePhoneNumber). */
  phone: string;
  language: CallbackLanguage;
  situation: string;
  createdAt: Date;
}

export interface CallbackRequest extends NewCallbackRequest {
  id: string;
  status: CallbackStatus;
  /** The agent who took it; null while nobody has. */
  assignedAgent: string | null;
  notes: string;
  updatedAt: Date;
}

/** One page of an agents' queue: oldest first; `after` is the last row of the previous page. */
export interface CallbackQueueQuery {
  prefectureId: string;
  status: CallbackStatus;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export interface CallbackStore {
  /**
   * Stores the call-back, unless the number already has an open one at this prefecture
   * (stored: false, nothing written). An unknown prefecture is PREFECTURE_NOT_FOUND.
   */
  insertCallbackRequest(callback: NewCallbackRequest): Promise<{ stored: boolean }>;
  /** The agents' queue of a prefecture in one status, oldest first. */
  listCallbackRequests(query: CallbackQueueQuery): Promise<CallbackRequest[]>;
}
