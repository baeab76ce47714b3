// Changing the preferences (sites, weekdays, half-days) or the declared expiry date of a live
// request. The batch — the request's place — stays: a change never costs the applicant their
// place, so nobody has a reason to withdraw and file again. A changed declared date waits for
// an agent's review again (domain/priority.ts urgencyOnChange). A pending offer stands as it
// was made; the applicant may decline it.
import { localDateOf } from '../../domain/local-time.ts';
import { urgencyOnChange } from '../../domain/priority.ts';
import {
  assertLiveRequest,
  assertUrgencyDate,
  normalisePreferences,
  type PreferencesInput,
} from '../../domain/request-rules.ts';
import { lockRequestOfToken, type RequestContext } from './request-context.ts';
import { describeRequest, findRequestOfToken, type RequestView } from './view-request.ts';

export interface ChangePreferencesInput {
  managementToken: string;
  preferences: PreferencesInput;
  /** The new expiry date; null removes it; absent keeps the current one. */
  urgencyDate?: string | null | undefined;
}

export async function changeRequestPreferences(
  ctx: RequestContext,
  input: ChangePreferencesInput,
): Promise<RequestView> {
  // The catalogue is read first, outside the transaction (PGlite has a single connection).
  const { request: current, procedure } = await findRequestOfToken(ctx, input.managementToken);
  const today = localDateOf(ctx.clock.now(), current.timeZone);
  const [sites, receiving] = await Promise.all([
    ctx.store.listSites(current.prefectureId),
    ctx.requests.receivingSites(current.prefectureId, current.procedureId, today),
  ]);
  const preferences = normalisePreferences(
    input.preferences,
    sites.map((s) => s.id),
    receiving,
  );
  const urgencyDate = input.urgencyDate === undefined ? current.urgencyDate : input.urgencyDate;
  if (urgencyDate !== current.urgencyDate) assertUrgencyDate(urgencyDate, today);

  return ctx.requests.transaction(async (tx) => {
    const request = await lockRequestOfToken(ctx, tx, input.managementToken);
    assertLiveRequest(request);
    const urgency = urgencyOnChange(request, urgencyDate);
    const updated = await tx.updatePreferences(request.id, preferences, urgency, ctx.clock.now());
    return describeRequest(ctx, tx, updated, procedure);
  });
}
