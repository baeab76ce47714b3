// The JSON-safe picture of an offer that the offer use cases return: the slot, the site, the
// deadline (as an instant and as the prefecture's local time: it is shown everywhere), and
// where the request stands.

import { localDateOf, localTimeOf } from '../../domain/local-time.ts';
import { extensionDeadline, isAnswerable, type OfferState, offersLeft } from '../../domain/offer-rules.ts';
import type { OfferDetails, OfferRequest } from '../../ports/draw-store.ts';

export interface OfferView {
  status: OfferDetails['status'];
  procedureId: string;
  slot: {
    slotId: string;
    siteId: string;
    siteName: string;
    siteAddress: string;
    startsAt: string;
    endsAt: string;
    localDate: string;
    localTime: string;
  };
  timeZone: string;
  /** Answer before this instant… */
  expiresAt: string;
  /** …i.e. this local date and time at the prefecture ("2026-06-03 09:00"). */
  expiresAtLocal: string;
  extended: boolean;
  /** The deadline an extension would give now, or null when it cannot be extended. */
  extensionWouldEndAt: string | null;
  request: {
    reference: string;
    status: OfferRequest['status'];
    declinedCount: number;
    ignoredCount: number;
    /** Further offers that may be ignored (or declined beyond the first decline) before the request closes. */
    /** Declines still allowed: one more closes the request. */
    declinesLeft: number;
    /** Offers that may still go unanswered (each pauses the request); the next one closes it. */
    unansweredLeft: number;
  };
}

const localDateTime = (instant: Date, timeZone: string) =>
  `${localDateOf(instant, timeZone)} ${localTimeOf(instant, timeZone)}`;

/** What the offer rules look at. */
export const offerStateOf = (offer: OfferDetails): OfferState => ({
  status: offer.status,
  expiresAt: offer.expiresAt,
  extended: offer.extended,
  slotStartsAt: offer.slot.startsAt,
});

export function toOfferView(offer: OfferDetails, request: OfferRequest, now: Date): OfferView {
  const state = offerStateOf(offer);
  const answerable = isAnswerable(state, now);
  const extension = answerable ? extensionDeadline(state, offer.procedure.offerHours) : null;
  return {
    // A pending offer past its deadline is expired, even before the sweep records it.
    status: offer.status === 'pending' && !answerable ? 'expired' : offer.status,
    procedureId: offer.procedure.id,
    slot: {
      slotId: offer.slot.id,
      siteId: offer.slot.siteId,
      siteName: offer.slot.siteName,
      siteAddress: offer.slot.siteAddress,
      startsAt: offer.slot.startsAt.toISOString(),
      endsAt: offer.slot.endsAt.toISOString(),
      localDate: offer.slot.localDate,
      localTime: localTimeOf(offer.slot.startsAt, offer.timeZone),
    },
    timeZone: offer.timeZone,
    expiresAt: offer.expiresAt.toISOString(),
    expiresAtLocal: localDateTime(offer.expiresAt, offer.timeZone),
    extended: offer.extended,
    extensionWouldEndAt: extension?.toISOString() ?? null,
    request: {
      reference: request.reference,
      status: request.status,
      declinedCount: request.declinedCount,
      ignoredCount: request.ignoredCount,
      declinesLeft: offersLeft(request, offer.procedure).declines,
      unansweredLeft: offersLeft(request, offer.procedure).ignored,
    },
  };
}
