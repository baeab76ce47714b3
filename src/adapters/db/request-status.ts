// A request's status as the domain knows it. 'offered' is not stored (migration 0026): a request
// is offered while it waits and holds a pending offer, so that a draw writes its offers and
// nothing else. Every read of a request's status goes through `requestStatus`; every read of
// the queue through `inQueue`.
import { type RawBuilder, sql } from 'kysely';
import type { RequestStatus } from '../../domain/request-rules.ts';

const pendingOfferOf = (alias: string) =>
  sql`exists (select 1 from offer pending_offer where pending_offer.request_id = ${sql.ref(`${alias}.id`)} and pending_offer.status = 'pending')`;

/** The status of the request `alias` (a table alias of allocation_request), 'offered' included. */
export function requestStatus(alias: string): RawBuilder<RequestStatus> {
  const stored = sql.ref(`${alias}.status`);
  return sql<RequestStatus>`(case when ${stored} = 'waiting' and ${pendingOfferOf(alias)} then 'offered' else ${stored} end)`;
}

/** The request `alias` waits in its queue for a draw: waiting, and not offered. */
export function inQueue(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${alias}.status`)} = 'waiting' and not ${pendingOfferOf(alias)})`;
}
