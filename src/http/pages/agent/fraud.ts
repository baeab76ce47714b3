// Fraud signals and held requests (inside agentArea: the session is checked), for supervisors
// of a prefecture and national administrators (who choose a prefecture), 'fraud.review':
//   GET  /agent/fraud[?prefecture=]                 signals over time (SVG chart and its table),
//                                                   the review list: held requests first (with
//                                                   their lapse), flagged appointments, decisions
//   GET  /agent/fraud/requests/:id[?prefecture=]    a case with its evidence, and the decision form
//   GET  /agent/fraud/appointments/:id              a flagged appointment's evidence
//   POST /agent/fraud/requests/:id/decision         decision=cleared|refused, reason (required)
//                                                   → 303 to the case; or the case again with the
//                                                   refusal (400, 409)
// Works without JavaScript; references and names are shown to the agent only.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CatalogueUseCases } from '../../../app/catalogue/catalogue-use-cases.ts';
import type { FraudUseCases } from '../../../app/fraud/fraud-use-cases.ts';
import { REVIEW_WINDOW_DAYS } from '../../../app/fraud/review-list.ts';
import { DomainError, type ErrorCode } from '../../../domain/errors.ts';
import { packQueryOfCase } from '../../../domain/evidence-pack.ts';
import { type FraudReason, HOLD_REASON_MAX_LENGTH, reasonInWords } from '../../../domain/fraud-signals.ts';
import type { Language } from '../../../domain/language.ts';
import { translator } from '../../../i18n/i18n.ts';
import type { Prefecture } from '../../../ports/booking-store.ts';
import type { SignalDay } from '../../../ports/fraud-store.ts';
import { DepartementCode, Uuid } from '../../schemas.ts';
import { lineChartSvg } from '../../views/svg-chart.ts';
import { languageOf } from '../../web/render.ts';
import { errorText, formOf, refusalOf, statusOf } from '../page-forms.ts';
import { parsed } from './agenda.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';

export const FRAUD_PATH = '/agent/fraud';
const FraudQuery = z.object({ prefecture: DepartementCode.optional() });
/** Refusals shown on the case itself (the agent keeps the page); others get the error page. */
const SHOWN_ON_CASE = new Set<ErrorCode>(['HOLD_ALREADY_DECIDED', 'VALIDATION_FAILED']);
const DONE = ['cleared', 'refused'] as const;

const words = (reasons: readonly FraudReason[], lang: Language) => reasons.map((r) => reasonInWords(r, lang));

/** The chart of the signals over time and the same figures as a table. */
function signalsChart(days: readonly SignalDay[], t: (key: string, options?: Record<string, unknown>) => string) {
  if (days.every((d) => d.flagged === 0)) return null;
  const title = t('chart.title', { days: REVIEW_WINDOW_DAYS });
  const withSignals = days.filter((d) => d.flagged > 0).length;
  const flagged = days.reduce((sum, d) => sum + d.flagged, 0);
  const held = days.reduce((sum, d) => sum + d.held, 0);
  return {
    title,
    svg: lineChartSvg({
      id: 'fraud-signals-chart',
      title,
      description: t('chart.description', { days: withSignals, flagged, held }),
      xLabels: days.map((d) => d.day),
      series: [
        { label: t('chart.flagged'), values: days.map((d) => d.flagged) },
        { label: t('chart.held'), values: days.map((d) => d.held) },
      ],
      formatY: (v) => String(v),
      xEvery: Math.max(1, Math.ceil(days.length / 6)),
    }),
  };
}

export const fraudPages =
  (fraud: FraudUseCases, catalogue: Pick<CatalogueUseCases, 'listPrefectures'>): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-fraud');

    app.get(FRAUD_PATH, async (request, reply) => {
      const agent = agentWith(request, 'fraud.review');
      const query = parsed(FraudQuery, request.query ?? {});
      const prefectures: Prefecture[] = agent.role === 'admin' ? await catalogue.listPrefectures() : [];
      // An administrator chooses a prefecture first: the list is one prefecture's.
      const list =
        agent.role === 'admin' && !query.prefecture
          ? null
          : await fraud.listFraudReview(agent, { prefectureId: query.prefecture ?? null });
      const lang = languageOf(request);
      const tr = t(request);
      return sendAgentPage(request, reply, 'agent/fraud/list', {
        title: tr('list.title'),
        query,
        prefectures,
        list,
        chart: list ? signalsChart(list.days, tr) : null,
        reasonsOf: (reasons: FraudReason[]) => words(reasons, lang),
        windowDays: REVIEW_WINDOW_DAYS,
      });
    });

    async function showCase(
      request: FastifyRequest,
      reply: FastifyReply,
      kind: 'request' | 'appointment',
      id: string,
      problem: { code: ErrorCode; message: string } | null = null,
    ) {
      const agent = agentWith(request, 'fraud.review');
      const found = await fraud.viewFraudCase(agent, kind, id);
      const lang = languageOf(request);
      const done = (request.query as { done?: unknown } | undefined)?.done;
      return sendAgentPage(
        request,
        reply,
        'agent/fraud/case',
        {
          title: t(request)('case.title', { reference: found.reference }),
          item: found,
          reasons: words(found.reasons, lang),
          reasonsOf: (reasons: FraudReason[]) => words(reasons, lang),
          listHref: agent.role === 'admin' ? `${FRAUD_PATH}?prefecture=${found.prefectureId}` : FRAUD_PATH,
          done: !problem && DONE.includes(done as (typeof DONE)[number]) ? done : null,
          problem,
          reasonMax: HOLD_REASON_MAX_LENGTH,
          evidenceHref: `/agent/evidence?${new URLSearchParams(
            packQueryOfCase({
              ...found,
              instants: [found.since, found.heldAt, found.decidedAt, ...found.observations.map((o) => o.at)].filter(
                (d): d is Date => d !== null,
              ),
            }),
          )}`,
        },
        problem ? statusOf(problem.code) : 200,
      );
    }

    const idOf = (request: FastifyRequest): string => {
      const id = Uuid.safeParse((request.params as { id?: unknown }).id);
      if (!id.success) throw new DomainError('FRAUD_CASE_NOT_FOUND');
      return id.data;
    };

    app.get(`${FRAUD_PATH}/requests/:id`, async (request, reply) => showCase(request, reply, 'request', idOf(request)));
    app.get(`${FRAUD_PATH}/appointments/:id`, async (request, reply) =>
      showCase(request, reply, 'appointment', idOf(request)),
    );

    app.post(`${FRAUD_PATH}/requests/:id/decision`, async (request, reply) => {
      const agent = agentWith(request, 'fraud.review');
      const id = idOf(request);
      const form = formOf(request);
      try {
        const decided = await fraud.decideHold(
          agent,
          {
            requestId: id,
            decision: form.decision ?? '',
            reason: (form.reason ?? '').slice(0, 4 * HOLD_REASON_MAX_LENGTH),
          },
          { ip: request.ip ?? null },
        );
        return reply.redirect(`${FRAUD_PATH}/requests/${id}?done=${decided.reviewState}`, 303);
      } catch (error) {
        const refusal = refusalOf(error);
        if (!SHOWN_ON_CASE.has(refusal.code)) throw refusal;
        const tr = t(request);
        const message =
          refusal.code === 'VALIDATION_FAILED'
            ? tr('case.invalid', {
                details: ((refusal.details?.errors ?? []) as { path: string }[])
                  .map((e) => tr(`case.fields.${e.path}`, { defaultValue: e.path }))
                  .join(', '),
              })
            : errorText(request, refusal.code);
        return showCase(request, reply, 'request', id, { code: refusal.code, message });
      }
    });
  };
