// The configuration pages (supervisors: their prefecture; administrators: any, chosen with
// ?prefecture=). One form per task; after a POST, a 303 back to the page with ?done=<what>
// (the confirmation banner), or the page again with the form's errors (400).
//   GET  /agent/configuration                          sites, draws, national settings
//   POST /agent/configuration/draw-schedule            the prefecture's daily draw time
//   POST /agent/configuration/draw-cadences/:procedureId          draw a procedure through the day
//   POST /agent/configuration/draw-cadences/:procedureId/remove   back to one draw a day
//   POST /agent/configuration/procedures/:procedureId  a procedure's national policy (admin)
//   POST /agent/configuration/email-cap                the per-email cap (admin)
//   GET  /agent/configuration/sites/:siteId            details, counters, procedures offered, closures
//   POST /agent/configuration/sites/:siteId            its details
//   POST /agent/configuration/sites/:siteId/rules      one opening rule for each counter ticked
//   POST /agent/configuration/sites/:siteId/counters   a new counter
//   POST /agent/configuration/sites/:siteId/offers/:procedureId   offered, agents' share
//   POST /agent/configuration/sites/:siteId/closures   a closure (confirmation page when it cancels appointments)
//   GET  /agent/configuration/counters/:counterId      its opening rules
//   POST /agent/configuration/counters/:counterId      rename, (de)activate
//   POST /agent/configuration/counters/:counterId/rules          a new opening rule
//   POST /agent/configuration/rules/:ruleId/end        end a rule from a date
//   POST /agent/configuration/counters/:counterId/exceptional-openings   open on one date
//   POST /agent/configuration/exceptional-openings/:openingId/remove      remove it
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CloseResult } from '../../../app/configuration/close-site.ts';
import type { ConfigurationUseCases } from '../../../app/configuration/configuration-use-cases.ts';
import { DomainError, isDomainError } from '../../../domain/errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { languageOf } from '../../web/render.ts';
import { errorText } from '../page-forms.ts';
import { agentWith, sendAgentPage } from './agent-area.ts';
import { type FormErrors, type RawForm, ruleInputOf, windowsOf } from './configuration-forms.ts';

const DONE = new Set([
  'site',
  'counter-created',
  'counter',
  'offer',
  'closure',
  'closure-moved',
  'closure-some',
  'rule-created',
  'rules-created',
  'rule-ended',
  'draw-schedule',
  'procedure',
  'email-cap',
  'opening-created',
  'opening-removed',
  'draw-cadence',
  'draw-cadence-removed',
]);

const t = (request: FastifyRequest) => translator(languageOf(request), 'agent-config');
const origin = (request: FastifyRequest) => ({ ip: request.ip ?? null });
const bodyOf = (request: FastifyRequest): RawForm =>
  request.body && typeof request.body === 'object' ? (request.body as RawForm) : {};
const first = (form: RawForm, key: string): string => {
  const value = form[key];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : '';
};
const all = (form: RawForm, key: string): string[] => {
  const value = form[key];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
};
const param = (request: FastifyRequest, name: string): string => {
  const value = (request.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
};
const queryOf = (request: FastifyRequest, name: string): string | null => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length <= 20 ? value : null;
};
/** A whole number typed in a form, or NaN (the rules then name the field). */
const integer = (value: string): number => (/^\s*-?\d{1,6}\s*$/.test(value) ? Number(value) : Number.NaN);
const doneOf = (request: FastifyRequest): string | null => {
  const done = queryOf(request, 'done');
  return done && DONE.has(done) ? done : null;
};

/**
 * A refusal shown on the form: field problems (VALIDATION_FAILED) each at its control
 * (`${form}-${field}`), other refusals of the form's own doing (a taken name, an unknown
 * procedure) at the top. Anything else goes to the error page.
 */
function formErrorsOf(
  request: FastifyRequest,
  error: unknown,
  form: string,
  codes: readonly string[] = [],
): FormErrors {
  if (!isDomainError(error)) throw error;
  const translate = t(request);
  if (error.code === 'VALIDATION_FAILED') {
    const errors = (error.details?.errors ?? []) as { path: string; message: string; problem?: string }[];
    return {
      form,
      errors: errors.map((e) => ({
        field: `${form}-${e.path}`,
        message: `${translate(`fields.${e.path}`, { defaultValue: e.path })} : ${translate(`problems.${e.problem ?? 'invalid'}`, { detail: e.message, defaultValue: e.message })}`,
      })),
    };
  }
  if (codes.includes(error.code)) return { form, errors: [{ message: errorText(request, error.code) }] };
  throw error;
}

export const configurationPages =
  (configuration: ConfigurationUseCases): FastifyPluginAsync =>
  async (app) => {
    async function showOverview(
      request: FastifyRequest,
      reply: FastifyReply,
      prefectureId: string | null,
      failed?: FormErrors & { values: RawForm; procedureId?: string },
    ) {
      const agent = agentWith(request, 'configuration.edit');
      const view = await configuration.viewConfiguration(agent, prefectureId);
      return sendAgentPage(
        request,
        reply,
        'agent/configuration/index',
        {
          title: t(request)('overview.title'),
          view,
          done: doneOf(request),
          failed: failed ?? null,
          errors: failed?.errors ?? [],
        },
        failed ? 400 : 200,
      );
    }

    async function showSite(
      request: FastifyRequest,
      reply: FastifyReply,
      siteId: string,
      failed?: FormErrors & { values: RawForm; procedureId?: string },
    ) {
      const agent = agentWith(request, 'configuration.edit');
      const view = await configuration.viewSite(agent, siteId);
      return sendAgentPage(
        request,
        reply,
        'agent/configuration/site',
        {
          title: t(request)('site.title', { site: view.site.name }),
          view,
          done: doneOf(request),
          failed: failed ?? null,
          errors: failed?.errors ?? [],
        },
        failed ? 400 : 200,
      );
    }

    async function showCounter(
      request: FastifyRequest,
      reply: FastifyReply,
      counterId: string,
      failed?: FormErrors & { values: RawForm; ruleId?: string },
    ) {
      const agent = agentWith(request, 'configuration.edit');
      const view = await configuration.viewCounter(agent, counterId);
      return sendAgentPage(
        request,
        reply,
        'agent/configuration/counter',
        {
          title: t(request)('counter.title', { counter: view.counter.name }),
          view,
          done: doneOf(request),
          failed: failed ?? null,
          errors: failed?.errors ?? [],
        },
        failed ? 400 : 200,
      );
    }

    const prefectureQuery = (id: string) => `prefecture=${encodeURIComponent(id)}`;

    app.get('/agent/configuration', async (request, reply) =>
      showOverview(request, reply, queryOf(request, 'prefecture')),
    );

    app.post('/agent/configuration/draw-schedule', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const prefectureId = first(form, 'prefecture') || (agent.prefectureId ?? '');
      try {
        await configuration.updateDrawSchedule(
          agent,
          prefectureId,
          { dailyAt: first(form, 'dailyAt') },
          origin(request),
        );
      } catch (error) {
        return showOverview(request, reply, prefectureId, { ...formErrorsOf(request, error, 'draw'), values: form });
      }
      return reply.redirect(`/agent/configuration?${prefectureQuery(prefectureId)}&done=draw-schedule`, 303);
    });

    app.post('/agent/configuration/draw-cadences/:procedureId', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const procedureId = param(request, 'procedureId');
      const prefectureId = first(form, 'prefecture') || (agent.prefectureId ?? '');
      try {
        await configuration.setDrawCadence(
          agent,
          prefectureId,
          procedureId,
          {
            everyMinutes: integer(first(form, 'everyMinutes')),
            fromTime: first(form, 'fromTime'),
            untilTime: first(form, 'untilTime'),
          },
          origin(request),
        );
      } catch (error) {
        return showOverview(request, reply, prefectureId, {
          ...formErrorsOf(request, error, `cadence-${procedureId}`),
          values: form,
          procedureId,
        });
      }
      return reply.redirect(`/agent/configuration?${prefectureQuery(prefectureId)}&done=draw-cadence`, 303);
    });

    app.post('/agent/configuration/draw-cadences/:procedureId/remove', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const prefectureId = first(bodyOf(request), 'prefecture') || (agent.prefectureId ?? '');
      await configuration.removeDrawCadence(agent, prefectureId, param(request, 'procedureId'), origin(request));
      return reply.redirect(`/agent/configuration?${prefectureQuery(prefectureId)}&done=draw-cadence-removed`, 303);
    });

    app.post('/agent/configuration/procedures/:procedureId', async (request, reply) => {
      const agent = agentWith(request, 'settings.national');
      const form = bodyOf(request);
      const procedureId = param(request, 'procedureId');
      const prefectureId = first(form, 'prefecture') || null;
      try {
        await configuration.updateProcedurePolicy(
          agent,
          procedureId,
          {
            releaseDaysAhead: integer(first(form, 'releaseDaysAhead')),
            releaseTime: first(form, 'releaseTime'),
            offerHours: integer(first(form, 'offerHours')),
            maxIgnoredOffers: integer(first(form, 'maxIgnoredOffers')),
            maxDeclines: integer(first(form, 'maxDeclines')),
          },
          origin(request),
        );
      } catch (error) {
        return showOverview(request, reply, prefectureId, {
          ...formErrorsOf(request, error, `procedure-${procedureId}`),
          values: form,
          procedureId,
        });
      }
      return reply.redirect(
        `/agent/configuration?${prefectureId ? `${prefectureQuery(prefectureId)}&` : ''}done=procedure`,
        303,
      );
    });

    app.post('/agent/configuration/email-cap', async (request, reply) => {
      const agent = agentWith(request, 'settings.national');
      const form = bodyOf(request);
      const prefectureId = first(form, 'prefecture') || null;
      try {
        await configuration.updateEmailCap(
          agent,
          { maxActivePerEmail: integer(first(form, 'maxActivePerEmail')) },
          origin(request),
        );
      } catch (error) {
        return showOverview(request, reply, prefectureId, { ...formErrorsOf(request, error, 'cap'), values: form });
      }
      return reply.redirect(
        `/agent/configuration?${prefectureId ? `${prefectureQuery(prefectureId)}&` : ''}done=email-cap`,
        303,
      );
    });

    app.get('/agent/configuration/sites/:siteId', async (request, reply) =>
      showSite(request, reply, param(request, 'siteId')),
    );

    app.post('/agent/configuration/sites/:siteId', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const siteId = param(request, 'siteId');
      try {
        await configuration.updateSite(
          agent,
          siteId,
          {
            name: first(form, 'name'),
            address: first(form, 'address'),
            phone: first(form, 'phone'),
            publicHours: first(form, 'publicHours'),
          },
          origin(request),
        );
      } catch (error) {
        return showSite(request, reply, siteId, { ...formErrorsOf(request, error, 'site'), values: form });
      }
      return reply.redirect(`/agent/configuration/sites/${encodeURIComponent(siteId)}?done=site`, 303);
    });

    app.post('/agent/configuration/sites/:siteId/counters', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const siteId = param(request, 'siteId');
      try {
        const counter = await configuration.addCounter(agent, siteId, { name: first(form, 'name') }, origin(request));
        return reply.redirect(
          `/agent/configuration/counters/${encodeURIComponent(counter.id)}?done=counter-created`,
          303,
        );
      } catch (error) {
        return showSite(request, reply, siteId, {
          ...formErrorsOf(request, error, 'newcounter', ['COUNTER_NAME_TAKEN']),
          values: form,
        });
      }
    });

    // One rule for each counter ticked, in one transaction (app/configuration/add-opening-rule.ts addOpeningRules).
    app.post('/agent/configuration/sites/:siteId/rules', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const siteId = param(request, 'siteId');
      try {
        const site = await configuration.viewSite(agent, siteId);
        const ticked = all(form, 'counterIds');
        // Only this site's counters: another one's id is refused as if it were not ticked at all.
        const counterIds = ticked.filter((id) => site.counters.some((c) => c.id === id));
        if (counterIds.length !== ticked.length) throw new DomainError('COUNTER_NOT_FOUND');
        await configuration.addOpeningRules(agent, counterIds, ruleInputOf(form, first, all, integer), origin(request));
      } catch (error) {
        return showSite(request, reply, siteId, { ...formErrorsOf(request, error, 'rule'), values: form });
      }
      return reply.redirect(`/agent/configuration/sites/${encodeURIComponent(siteId)}?done=rules-created`, 303);
    });

    app.post('/agent/configuration/sites/:siteId/offers/:procedureId', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const siteId = param(request, 'siteId');
      const procedureId = param(request, 'procedureId');
      try {
        await configuration.updateSiteOffer(
          agent,
          {
            siteId,
            procedureId,
            offered: first(form, 'offered') === 'on',
            reservedPercent: integer(first(form, 'reservedPercent')),
          },
          origin(request),
        );
      } catch (error) {
        return showSite(request, reply, siteId, {
          ...formErrorsOf(request, error, `offer-${procedureId}`, ['PROCEDURE_NOT_FOUND']),
          values: form,
          procedureId,
        });
      }
      return reply.redirect(`/agent/configuration/sites/${encodeURIComponent(siteId)}?done=offer`, 303);
    });

    app.post('/agent/configuration/sites/:siteId/closures', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const siteId = param(request, 'siteId');
      const confirm = first(form, 'confirmAppointments');
      const input = {
        siteId,
        counterId: first(form, 'counterId') || null,
        dateFrom: first(form, 'dateFrom'),
        dateTo: first(form, 'dateTo') || first(form, 'dateFrom'),
        reason: first(form, 'reason'),
        confirmAppointments: confirm === '' ? undefined : integer(confirm),
        confirmReferences:
          confirm === ''
            ? undefined
            : first(form, 'confirmReferences')
                .split(' ')
                .filter((r) => r !== ''),
      };
      let result: CloseResult;
      try {
        result = await configuration.closeSite(agent, input, origin(request));
      } catch (error) {
        return showSite(request, reply, siteId, {
          ...formErrorsOf(request, error, 'closure', ['COUNTER_NOT_FOUND']),
          values: form,
        });
      }
      if (result.status === 'needs-confirmation') {
        const view = await configuration.viewSite(agent, siteId);
        return sendAgentPage(
          request,
          reply,
          'agent/configuration/closure-confirm',
          {
            title: t(request)('closureConfirm.title'),
            view,
            input,
            appointments: result.appointments,
            moved: result.moved,
            counterName: view.counters.find((c) => c.id === input.counterId)?.name ?? null,
            changed: input.confirmAppointments !== undefined,
          },
          409,
        );
      }
      // Closing one counter may have moved appointments to another counter: say so.
      const done =
        result.moved.length === 0 ? 'closure' : result.cancelled.length === 0 ? 'closure-moved' : 'closure-some';
      return reply.redirect(`/agent/configuration/sites/${encodeURIComponent(siteId)}?done=${done}`, 303);
    });

    app.get('/agent/configuration/counters/:counterId', async (request, reply) =>
      showCounter(request, reply, param(request, 'counterId')),
    );

    app.post('/agent/configuration/counters/:counterId', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const counterId = param(request, 'counterId');
      try {
        await configuration.updateCounter(
          agent,
          counterId,
          { name: first(form, 'name'), active: first(form, 'active') === 'on' },
          origin(request),
        );
      } catch (error) {
        return showCounter(request, reply, counterId, {
          ...formErrorsOf(request, error, 'counter', ['COUNTER_NAME_TAKEN']),
          values: form,
        });
      }
      return reply.redirect(`/agent/configuration/counters/${encodeURIComponent(counterId)}?done=counter`, 303);
    });

    app.post('/agent/configuration/counters/:counterId/rules', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const counterId = param(request, 'counterId');
      try {
        await configuration.addOpeningRule(agent, counterId, ruleInputOf(form, first, all, integer), origin(request));
      } catch (error) {
        return showCounter(request, reply, counterId, { ...formErrorsOf(request, error, 'rule'), values: form });
      }
      return reply.redirect(`/agent/configuration/counters/${encodeURIComponent(counterId)}?done=rule-created`, 303);
    });

    app.post('/agent/configuration/counters/:counterId/exceptional-openings', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const counterId = param(request, 'counterId');
      try {
        await configuration.addExceptionalOpening(
          agent,
          counterId,
          {
            procedureId: first(form, 'procedureId'),
            date: first(form, 'date').trim(),
            windows: windowsOf(form, first),
            slotMinutes: integer(first(form, 'slotMinutes')),
          },
          origin(request),
        );
      } catch (error) {
        return showCounter(request, reply, counterId, { ...formErrorsOf(request, error, 'exceptional'), values: form });
      }
      return reply.redirect(`/agent/configuration/counters/${encodeURIComponent(counterId)}?done=opening-created`, 303);
    });

    app.post('/agent/configuration/exceptional-openings/:openingId/remove', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const { counterId } = await configuration.removeExceptionalOpening(
        agent,
        param(request, 'openingId'),
        origin(request),
      );
      return reply.redirect(`/agent/configuration/counters/${encodeURIComponent(counterId)}?done=opening-removed`, 303);
    });

    app.post('/agent/configuration/rules/:ruleId/end', async (request, reply) => {
      const agent = agentWith(request, 'configuration.edit');
      const form = bodyOf(request);
      const ruleId = param(request, 'ruleId');
      const { counterId } = await configuration.viewOpeningRule(agent, ruleId);
      try {
        await configuration.endOpeningRule(agent, ruleId, { endsFrom: first(form, 'endsFrom') }, origin(request));
      } catch (error) {
        return showCounter(request, reply, counterId, {
          ...formErrorsOf(request, error, `end-${ruleId}`),
          values: form,
          ruleId,
        });
      }
      return reply.redirect(`/agent/configuration/counters/${encodeURIComponent(counterId)}?done=rule-ended`, 303);
    });
  };
