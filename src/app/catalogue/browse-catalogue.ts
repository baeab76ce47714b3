// Read-only catalogue: prefectures, their sites, and the procedures.
import { DomainError } from '../../domain/errors.ts';
import type { Prefecture, Procedure, Site } from '../../ports/booking-store.ts';
import type { AppContext } from '../shared/context.ts';

export const listPrefectures = (ctx: Pick<AppContext, 'store'>): Promise<Prefecture[]> => ctx.store.listPrefectures();
export const listProcedures = (ctx: Pick<AppContext, 'store'>): Promise<Procedure[]> => ctx.store.listProcedures();

export async function getPrefectureWithSites(
  ctx: Pick<AppContext, 'store'>,
  prefectureId: string,
): Promise<{ prefecture: Prefecture; sites: Site[] }> {
  const prefecture = await ctx.store.getPrefecture(prefectureId);
  if (!prefecture) throw new DomainError('PREFECTURE_NOT_FOUND');
  return { prefecture, sites: await ctx.store.listSites(prefectureId) };
}

export async function getProcedure(ctx: Pick<AppContext, 'store'>, procedureId: string): Promise<Procedure> {
  const procedure = await ctx.store.getProcedure(procedureId);
  if (!procedure) throw new DomainError('PROCEDURE_NOT_FOUND');
  return procedure;
}
