// The other ways in, for people without the Internet, without JavaScript or who would rather
// talk to someone (a non-online channel is mandatory: Conseil d'État, 27 Nov 2019):
//   GET  /contact[?prefecture]      each prefecture's sites, phone numbers and counter hours,
//                                   and the "be called back" form
//   POST /contact/callback          stores the call-back for the agents → 303 /contact/callback/sent
//   GET  /contact/callback/sent     when to expect the call, the number and the call-back's reference
//                                   (from a 30-minute cookie: nothing personal in the address)
//   GET  /accessibility             the accessibility statement (RGAA)
// The call-back form has no proof of work (its users may have no JavaScript): the strict
// rate limit and the one-open-call-back-per-number index protect the agents' queue.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CallbackUseCases } from '../../app/callbacks/callback-use-cases.ts';
import type { CallbackFieldError } from '../../app/callbacks/request-callback.ts';
import type { CatalogueUseCases } from '../../app/catalogue/catalogue-use-cases.ts';
import { normaliseReference } from '../../domain/booking-reference.ts';
import { CALLBACK_LANGUAGES, displayPhoneNumber, SITUATION_MAX_LENGTH } from '../../domain/callback-rules.ts';
import { translator } from '../../i18n/i18n.ts';
import type { WebSettings } from '../feature-plugins.ts';
import { SENSITIVE_ROUTE } from '../rate-limit.ts';
import { DepartementCode } from '../schemas.ts';
import { languageOf, sendPage } from '../web/render.ts';
import { errorsByField } from './identity-form.ts';
import { type FieldError, formOf, refusalOf, statusOf } from './page-forms.ts';

const ContactQuery = z.object({ prefecture: DepartementCode.optional() });
const CALLBACK_FIELDS = ['prefectureId', 'phone', 'language', 'situation'] as const;
type CallbackForm = Record<(typeof CALLBACK_FIELDS)[number], string>;

/** The reference of the call-back just asked for, for its confirmation page only (30 minutes). */
const CALLBACK_COOKIE = 'creneau_callback';
const SENT_PATH = '/contact/callback/sent';

export const contactPages =
  (
    callbacks: Pick<CallbackUseCases, 'requestCallback' | 'viewCallbackConfirmation'>,
    catalogue: CatalogueUseCases,
    web: WebSettings,
  ): FastifyPluginAsync =>
  async (app) => {
    const t = (request: FastifyRequest) => translator(languageOf(request), 'contact');

    async function showContact(
      request: FastifyRequest,
      reply: FastifyReply,
      form: CallbackForm,
      errors: FieldError[] = [],
      status = 200,
    ) {
      const all = await catalogue.listPrefectures();
      const chosen = all.find((p) => p.id === ContactQuery.safeParse(request.query).data?.prefecture);
      const shown = await Promise.all((chosen ? [chosen] : all).map((p) => catalogue.getPrefectureWithSites(p.id)));
      const tr = t(request);
      return sendPage(
        request,
        reply,
        'contact/contact',
        {
          title: tr('contact.title'),
          prefectures: all,
          chosen: chosen ?? null,
          shown,
          languages: CALLBACK_LANGUAGES.map((code) => ({ code, label: tr(`languages.${code}`) })),
          situationMax: SITUATION_MAX_LENGTH,
          values: form,
          errors,
          fieldErrors: errorsByField(errors),
        },
        status,
      );
    }

    app.get('/contact', async (request, reply) => {
      const prefecture = ContactQuery.safeParse(request.query).data?.prefecture ?? '';
      return showContact(request, reply, {
        prefectureId: prefecture,
        phone: '',
        language: languageOf(request),
        situation: '',
      });
    });

    app.get('/contact/callback', async (_request, reply) => reply.redirect('/contact', 303));

    app.post('/contact/callback', { config: SENSITIVE_ROUTE }, async (request, reply) => {
      const body = formOf(request);
      const form = Object.fromEntries(CALLBACK_FIELDS.map((f) => [f, (body[f] ?? '').slice(0, 2000)])) as CallbackForm;
      const prefectureId = DepartementCode.safeParse(form.prefectureId).success ? form.prefectureId : '';
      let reference: string;
      try {
        ({ reference } = await callbacks.requestCallback({ ...form, prefectureId }));
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.code !== 'VALIDATION_FAILED' && refusal.code !== 'PREFECTURE_NOT_FOUND') throw refusal;
        const tr = t(request);
        const paths =
          refusal.code === 'PREFECTURE_NOT_FOUND'
            ? ['prefectureId']
            : ((refusal.details?.errors ?? []) as CallbackFieldError[]).map((e) => e.path);
        const errors = paths.map((field) => ({ field, message: tr(`contact.errors.${field}`) }));
        return showContact(request, reply, form, errors, statusOf('VALIDATION_FAILED'));
      }
      reply.setCookie(CALLBACK_COOKIE, reference, {
        path: SENT_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: web.secureCookies,
        maxAge: 1800,
      });
      return reply.redirect(SENT_PATH, 303);
    });

    app.get(SENT_PATH, async (request, reply) => {
      const reference = normaliseReference(request.cookies[CALLBACK_COOKIE] ?? '');
      const callback = reference ? await callbacks.viewCallbackConfirmation(reference) : null;
      const prefecture = callback ? await catalogue.getPrefectureWithSites(callback.prefectureId) : null;
      return sendPage(request, reply, 'contact/sent', {
        title: t(request)('contact.sentTitle'),
        callback: callback && {
          reference: callback.reference,
          phone: displayPhoneNumber(callback.phone),
          prefectureName: prefecture?.prefecture.name ?? '',
        },
      });
    });

    app.get('/accessibility', async (request, reply) =>
      sendPage(request, reply, 'accessibility', { title: t(request)('accessibility.title') }),
    );
  };
