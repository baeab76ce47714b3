// Server-rendered pages: Eta templates (src/http/web/templates), escaped by default
// (`<%= %>`; `<%~ %>` only for markup we built ourselves), in the request's language.
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import { DateTime } from 'luxon';
import { type CountryOption, countryName, countryOptions } from '../../domain/countries.ts';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language, translator } from '../../i18n/i18n.ts';
import { type AssetUrls, assetCatalogue } from './assets.ts';

const TEMPLATES = new URL('./templates/', import.meta.url).pathname;

declare module 'fastify' {
  interface FastifyInstance {
    /** The page templates, built by buildServer (http/server.ts) with `pageTemplates`. */
    pageTemplates: Eta;
  }
}

/** Compiled once and kept when `cache` (production); otherwise read again at each render, so edits show at once. */
export function pageTemplates(options: { cache: boolean }): Eta {
  return new Eta({ views: TEMPLATES, cache: options.cache, autoTrim: [false, 'nl'] });
}

export interface LanguageLink {
  language: Language;
  label: string;
  href: string;
  current: boolean;
}

/** What every template receives besides its own data (`it.page` in templates). */
export interface PageFrame {
  lang: Language;
  t: TFunction;
  /** The CSRF token for this page's forms (hidden field `_csrf`). */
  csrf: string;
  path: string;
  languages: LanguageLink[];
  /** Dates and times in a site's zone, worded for the page's language. */
  formatDate: (instant: Date | string, timeZone: string, style?: 'date' | 'time' | 'datetime') => string;
  /** The hashed URLs of the stylesheet, script and favicons (http/web/assets.ts). */
  assets: AssetUrls;
  /** A stored nationality in words ("MLI" → "Mali"); a value typed before the list, as it is. */
  countryName: (code: string) => string;
  /** Every country, sorted by its name in the page's language (the nationality select). */
  countries: readonly CountryOption[];
}

export function languageOf(request: FastifyRequest): Language {
  const detected = (request as { language?: string }).language?.slice(0, 2);
  return isLanguage(detected) ? detected : DEFAULT_LANGUAGE;
}

const LANGUAGE_LABELS: Record<Language, string> = { fr: 'Français', en: 'English' };

/** Links to this same page in each language; keeps the query except `lang`. */
function languageLinks(request: FastifyRequest, current: Language): LanguageLink[] {
  const url = new URL(request.url, 'http://x');
  return LANGUAGES.map((language) => {
    url.searchParams.set('lang', language);
    return {
      language,
      label: LANGUAGE_LABELS[language],
      href: `${url.pathname}?${url.searchParams.toString()}`,
      current: language === current,
    };
  });
}

const FORMATS = {
  date: { fr: 'cccc d LLLL yyyy', en: 'cccc d LLLL yyyy' },
  /** A day of the coming weeks, in words: "lundi 7 décembre", "Monday 7 December". */
  day: { fr: 'cccc d LLLL', en: 'cccc d LLLL' },
  time: { fr: "HH'h'mm", en: 'HH:mm' },
  datetime: { fr: "cccc d LLLL yyyy 'à' HH'h'mm", en: "cccc d LLLL yyyy 'at' HH:mm" },
} as const;

export function formatDateFor(lang: Language) {
  return (instant: Date | string, timeZone: string, style: keyof typeof FORMATS = 'datetime'): string => {
    const value =
      typeof instant === 'string'
        ? DateTime.fromISO(instant, { zone: timeZone })
        : DateTime.fromJSDate(instant, { zone: timeZone });
    return value.setLocale(lang === 'fr' ? 'fr' : 'en-GB').toFormat(FORMATS[style][lang]);
  };
}

export function pageFrame(request: FastifyRequest, reply: FastifyReply): PageFrame {
  const lang = languageOf(request);
  return {
    lang,
    t: translator(lang),
    csrf: typeof reply.generateCsrf === 'function' ? reply.generateCsrf() : '',
    path: new URL(request.url, 'http://x').pathname,
    languages: languageLinks(request, lang),
    formatDate: formatDateFor(lang),
    assets: assetCatalogue().urls,
    countryName: (code) => countryName(code, lang),
    countries: countryOptions(lang),
  };
}

/**
 * Renders `pages/<template>.eta` inside the layout. `title` is the page's own title (the
 * layout appends the service name); every page has one, as RGAA requires.
 */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: { title: string } & Record<string, unknown>,
  status = 200,
): FastifyReply {
  const page = pageFrame(request, reply);
  const html = reply.server.pageTemplates.render(`pages/${template}`, { ...data, page });
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

/** What a page with the proof-of-work widget passes to the layout (`head`, `scripts`). */
export const POW_HEAD = '<link rel="stylesheet" href="/assets/altcha/external/altcha.css">';
export const POW_SCRIPTS = '<script type="module" src="/assets/pow.js"></script>';
