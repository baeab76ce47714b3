// The agents' call-back queue: one status at a time (to call, by default), oldest first, of
// the agent's prefecture — a national administrator any prefecture or all of them — and
// optionally only the call-backs assigned to the agent. Each item comes with its history
// (who did what, when, and their notes), and supervisors get the agents they may assign to.
import { can, scopedPrefecture } from '../../domain/agent-rules.ts';
import type { CallbackStatus } from '../../domain/callback-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { CallbackNote, CallbackRequest } from '../../ports/callback-store.ts';
import { decodePageCursor, encodePageCursor } from '../shared/page-cursor.ts';
import type { CallbackQueueContext } from './callback-queue-context.ts';

export const QUEUE_PAGE_SIZE = 50;

export interface CallbackQueueFilter {
  /** Asked prefecture (null: the agent's own; all of them for an administrator). */
  prefectureId: string | null;
  status: CallbackStatus;
  mine: boolean;
  /** The cursor of the next page (encodeQueueCursor). */
  after?: string;
  limit?: number;
}

export interface CallbackQueueItem extends CallbackRequest {
  history: CallbackNote[];
}

export interface CallbackQueue {
  /** The prefecture shown (null: every prefecture, administrators only). */
  prefectureId: string | null;
  items: CallbackQueueItem[];
  /** Cursor of the next page, null on the last one. */
  next: string | null;
  /** Who a supervisor or administrator may assign the call-backs to (empty for counter agents). */
  assignees: Agent[];
  /** When the queue was read: the ages shown are counted from it. */
  asOf: Date;
}

/** "<created_at ISO>~<id>": the last item of a page, where the next one starts. */
export const encodeQueueCursor = (item: { createdAt: Date; id: string }): string =>
  encodePageCursor(item.createdAt, item.id);

export function decodeQueueCursor(cursor: string): { createdAt: Date; id: string } | null {
  const decoded = decodePageCursor(cursor);
  return decoded && { createdAt: decoded.at, id: decoded.id };
}

export async function listCallbacks(
  ctx: CallbackQueueContext,
  agent: Agent,
  filter: CallbackQueueFilter,
): Promise<CallbackQueue> {
  if (!can(agent, 'callbacks.handle')) throw new DomainError('FORBIDDEN_SCOPE');
  const prefectureId = scopedPrefecture(agent, filter.prefectureId);
  if (prefectureId === undefined) throw new DomainError('FORBIDDEN_SCOPE');
  const after = filter.after ? decodeQueueCursor(filter.after) : undefined;
  if (after === null)
    throw new DomainError('VALIDATION_FAILED', 'after: not a cursor of this queue', {
      errors: [{ path: 'after', message: 'not a cursor of this queue' }],
    });
  const limit = Math.min(Math.max(filter.limit ?? QUEUE_PAGE_SIZE, 1), QUEUE_PAGE_SIZE);
  const rows = await ctx.callbacks.listCallbackRequests({
    prefectureId,
    status: filter.status,
    limit: limit + 1,
    ...(filter.mine ? { assignedTo: agent.id } : {}),
    ...(after ? { after } : {}),
  });
  const page = rows.slice(0, limit);
  const notes = await ctx.callbacks.listCallbackNotes(page.map((c) => c.id));
  const items = page.map((c) => ({ ...c, history: notes.filter((n) => n.callbackId === c.id) }));
  const assignees =
    agent.role !== 'counter' && prefectureId !== null
      ? (await ctx.agents.accounts.list({ prefectureId, includeDisabled: false, limit: 500 })).filter(
          (a) => a.role !== 'admin',
        )
      : [];
  return {
    prefectureId,
    items,
    next: rows.length > limit ? encodeQueueCursor(page.at(-1)!) : null,
    assignees,
    asOf: ctx.clock.now(),
  };
}
