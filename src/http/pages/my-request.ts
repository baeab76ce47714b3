// "My appointment request", opened by the management token in the creneau_manage cookie only:
//   GET  /my-request                         reference, status, place and estimated wait, the open offer,
//                                            the request's pseudonym in each draw (to check it on /tirages/…)
//   POST /my-request/preferences             change the availability (the place in the queue stays)
//   GET|POST /my-request/withdraw            question, then withdrawal
//   GET  /my-request/attestation[.pdf]       the signed attestation, printable or as a PDF file
//   POST /my-request/offer/confirm|extend    answer the offer (confirmed: the same token opens /manage)
//   GET|POST /my-request/offer/decline       question (with its consequence), then decline
//   POST /my-request/forget                  forget this device
// A token that opens an appointment (an offer confirmed) goes to /manage.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DrawUseCases } from '../../app/draws/draw-use-cases.ts';
import type { DrawPseudonym } from '../../app/draws/published-draws.ts';
import type { OfferUseCases } from '../../app/offers/offer-use-cases.ts';
import type { OfferView } from '../../app/offers/offer-view.ts';
import type { RequestUseCases } from '../../app/requests/request-use-cases.ts';
import type { RequestView } from '../../app/requests/view-request.ts';
import { DomainError } from '../../domain/errors.ts';
import { translator } from '../../i18n/i18n.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { ATTESTATION_HTML_CSP, renderAttestationHtml } from '../views/attestation-html.ts';
import { renderAttestationPdf } from '../views/attestation-pdf.ts';
import { clearManagementToken, readManagementToken } from '../web/management-cookie.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { procedureName } from './appointment-details.ts';
import { errorsByField } from './identity-form.ts';
import { type FieldError, fieldError, refusalOf, statusOf } from './page-forms.ts';
import { FILED_COOKIE } from './request.ts';
import {
  checkPreferences,
  type PreferencesInput,
  preferenceFieldOf,
  preferenceOptions,
  preferencesInputFrom,
  preferencesInputOf,
  type RequestTarget,
} from './request-form.ts';

/** Notices shown after an action (`?done=…`: a word, nothing personal). */
const NOTICES = new Set(['preferences', 'withdrawn', 'extended', 'declined', 'reconfirmed', 'found']);

interface Opened {
  token: string;
  view: RequestView;
  target: RequestTarget;
  /** The latest offer while the request is 'offered' (pending, or past its deadline before the sweep). */
  offer: OfferView | null;
  /** Its pseudonym in each draw of its queue since it was filed, latest first. */
  pseudonyms: DrawPseudonym[];
}

interface ViewOptions {
  errors?: FieldError[];
  status?: number;
  /** The availability as typed, when the change form is shown again. */
  typed?: PreferencesInput;
}

const isLive = (view: RequestView) => view.status === 'waiting' || view.status === 'offered';

export const myRequestPages =
  (
    requests: RequestUseCases,
    uses: { offers: OfferUseCases; draws: Pick<DrawUseCases, 'pseudonymsOfRequest'> },
  ): FastifyPluginAsync =>
  async (app) => {
    const { offers, draws } = uses;
    const t = (request: FastifyRequest) => translator(languageOf(request), 'request');

    function showOpen(request: FastifyRequest, reply: FastifyReply, errors: FieldError[] = [], status = 200) {
      return sendPage(request, reply, 'request/open', { title: t(request)('open.title'), errors }, status);
    }

    /** What the token opens: its request (with what the page shows), an appointment, or nothing. */
    async function load(token: string): Promise<Opened | 'appointment' | 'none'> {
      let view: RequestView;
      try {
        view = await requests.viewRequest(token);
      } catch (error) {
        if (refusalOf(error).code !== 'REQUEST_NOT_FOUND') throw error;
        const appointment = await requests.viewAppointment(token).catch((e: unknown) => {
          if (refusalOf(e).code === 'APPOINTMENT_NOT_FOUND') return null;
          throw e;
        });
        return appointment ? 'appointment' : 'none';
      }
      if (view.status === 'booked') return 'appointment';
      const { target } = await requests.findRequestTarget({
        procedureId: view.procedureId,
        prefectureId: view.prefectureId,
      });
      if (!target) return 'none';
      const offer =
        view.status === 'offered'
          ? await offers.viewOffer(token).catch((e: unknown) => {
              if (refusalOf(e).code === 'OFFER_NOT_FOUND') return null;
              throw e;
            })
          : null;
      const pseudonyms = await draws.pseudonymsOfRequest(token, view.prefectureId);
      return { token, view, target, offer, pseudonyms };
    }

    /** The request of the cookie; otherwise answers for the page (token form, /manage) and returns null. */
    async function open(request: FastifyRequest, reply: FastifyReply): Promise<Opened | null> {
      const token = readManagementToken(request);
      if (!token) {
        await showOpen(request, reply);
        return null;
      }
      const opened = await load(token);
      if (opened === 'appointment') {
        await reply.redirect('/manage', 303);
        return null;
      }
      if (opened === 'none') {
        clearManagementToken(reply);
        await showOpen(request, reply, [fieldError(request, 'REQUEST_NOT_FOUND')], statusOf('REQUEST_NOT_FOUND'));
        return null;
      }
      return opened;
    }

    function showRequest(request: FastifyRequest, reply: FastifyReply, opened: Opened, view: ViewOptions = {}) {
      const tr = t(request);
      const { view: req, target, offer } = opened;
      // Shown once, right after filing: the cookie that says so goes with this page.
      const justFiled = request.cookies[FILED_COOKIE] === '1';
      if (justFiled) reply.clearCookie(FILED_COOKIE, { path: '/my-request' });
      const done = (request.query as { done?: unknown }).done;
      const typed = view.typed ?? preferencesInputFrom(req.preferences, req.urgencyDate);
      const names = (ids: string[]) => ids.map((id) => target.sites.find((s) => s.id === id)?.name ?? id).join(', ');
      const errors = view.errors ?? [];
      return sendPage(
        request,
        reply,
        'request/view',
        {
          title: tr('view.title'),
          request: req,
          live: isLive(req),
          procedureName: procedureName(target.procedure, languageOf(request)),
          prefecture: target.prefecture,
          offer: offer && { ...offer, pending: offer.status === 'pending' },
          pseudonyms: opened.pseudonyms,
          notice: typeof done === 'string' && NOTICES.has(done) ? done : justFiled ? 'filed' : null,
          managementToken: justFiled ? opened.token : null,
          summary: {
            sites: names(req.preferences.siteIds),
            weekdays: req.preferences.weekdays.map((d) => tr(`weekday.${d}`)).join(', '),
            halfDays: req.preferences.halfDays.map((h) => tr(`halfDay.${h}`)).join(', '),
          },
          fileAgainLink: `/request?procedure=${encodeURIComponent(target.procedure.id)}&prefecture=${encodeURIComponent(target.prefecture.id)}`,
          options: preferenceOptions(target, typed, tr),
          values: { urgencyDate: typed.urgencyDate },
          urgentWithinDays: target.procedure.allocation.urgentWithinDays,
          errors,
          fieldErrors: errorsByField(errors),
        },
        view.status ?? 200,
      );
    }

    /**
     * Runs an action on the request of the cookie and redirects to where it leads; a refusal
     * shows the request again (as it now stands) with the message, linked to its field.
     */
    async function act(
      request: FastifyRequest,
      reply: FastifyReply,
      action: (opened: Opened) => Promise<string | ViewOptions>,
    ) {
      const opened = await open(request, reply);
      if (!opened) return reply;
      let outcome: string | ViewOptions;
      try {
        outcome = await action(opened);
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code === 'REQUEST_NOT_FOUND') throw refusal;
        const field = preferenceFieldOf(refusal);
        outcome = {
          errors: [fieldError(request, refusal.code, field)],
          status: statusOf(refusal.code),
          ...(field ? { typed: preferencesInputOf(request) } : {}),
        };
      }
      if (typeof outcome === 'string') return reply.redirect(outcome, 303);
      const now = await load(opened.token);
      if (typeof now === 'string') return reply.redirect('/my-request', 303);
      return showRequest(request, reply, now, outcome);
    }

    app.get('/my-request', async (request, reply) => {
      const opened = await open(request, reply);
      return opened ? showRequest(request, reply, opened) : reply;
    });

    // Reloads and language switches on the paths that only take forms.
    for (const path of [
      '/my-request/preferences',
      '/my-request/offer/confirm',
      '/my-request/offer/extend',
      '/my-request/forget',
    ]) {
      app.get(path, async (_request, reply) => reply.redirect('/my-request', 303));
    }

    app.post('/my-request/preferences', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        const typed = preferencesInputOf(request);
        const checked = checkPreferences(typed, opened.target, t(request));
        if (!checked.preferences) return { errors: checked.errors, status: 400, typed };
        await requests.changeRequestPreferences({
          managementToken: opened.token,
          preferences: checked.preferences,
          urgencyDate: checked.urgencyDate,
        });
        return '/my-request?done=preferences';
      }),
    );

    app.post('/my-request/reconfirm', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        await requests.reconfirmRequest(opened.token);
        return '/my-request?done=reconfirmed';
      }),
    );

    app.get('/my-request/withdraw', async (request, reply) => {
      const opened = await open(request, reply);
      if (!opened) return reply;
      if (!isLive(opened.view)) return reply.redirect('/my-request', 303);
      return sendPage(request, reply, 'request/withdraw', {
        title: t(request)('withdraw.title'),
        request: opened.view,
        offer: opened.offer,
      });
    });

    app.post('/my-request/withdraw', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        await requests.withdrawRequest(opened.token);
        return '/my-request?done=withdrawn';
      }),
    );

    app.post('/my-request/offer/confirm', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        await offers.confirmOffer(opened.token);
        return '/manage?done=accepted';
      }),
    );

    app.post('/my-request/offer/extend', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        await offers.extendOffer(opened.token);
        return '/my-request?done=extended';
      }),
    );

    app.get('/my-request/offer/decline', async (request, reply) => {
      const opened = await open(request, reply);
      if (!opened) return reply;
      const offer = opened.offer;
      if (offer?.status !== 'pending') return reply.redirect('/my-request', 303);
      const consequence = offer.request.declinesLeft === 0 ? 'closes' : 'requeued';
      return sendPage(request, reply, 'request/decline', { title: t(request)('decline.title'), offer, consequence });
    });

    app.post('/my-request/offer/decline', { config: SENSITIVE_ROUTE }, async (request, reply) =>
      act(request, reply, async (opened) => {
        await offers.declineOffer(opened.token);
        return '/my-request?done=declined';
      }),
    );

    app.post('/my-request/forget', async (_request, reply) => {
      clearManagementToken(reply);
      return reply.redirect('/my-request', 303);
    });

    /** The attestation of the request of the cookie (any status: a withdrawn request still proves the attempt). */
    async function attestation(request: FastifyRequest) {
      const token = readManagementToken(request);
      if (!token) throw new DomainError('REQUEST_NOT_FOUND');
      return requests.attestationOfManagementToken(token);
    }

    app.get('/my-request/attestation', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const issued = await attestation(request);
      return reply
        .header('cache-control', 'no-store')
        .header('content-security-policy', ATTESTATION_HTML_CSP)
        .type('text/html; charset=utf-8')
        .send(await renderAttestationHtml(issued));
    });

    app.get('/my-request/attestation.pdf', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const issued = await attestation(request);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="attestation-${issued.facts.reference}.pdf"`)
        .type('application/pdf')
        .send(Buffer.from(await renderAttestationPdf(issued)));
    });
  };
