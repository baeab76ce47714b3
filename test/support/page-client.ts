// A browser without a browser, for inject tests of the pages: it keeps cookies (the CSRF
// secret, the management token, the language), asks for text/html, and posts forms
// urlencoded with the _csrf token of the last page it read.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Mailer, MailMessage } from '../../src/ports/mailer.ts';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
export const unescapeHtml = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

/** The value of every <input type="hidden"> of the page (the first one of each name). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] ??= unescapeHtml(match[2]!);
  }
  return fields;
}

/** The CSRF token of the page's forms. */
export function csrfOf(html: string): string {
  const token = hiddenFields(html)._csrf;
  if (!token) throw new Error('no _csrf field in the page');
  return token;
}

/** Every href and form action of a page, for "nothing personal in a link" checks. */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/(?:href|action|formaction|src)="([^"]*)"/g)]
    .map((m) => unescapeHtml(m[1]!))
    .filter((l) => !l.startsWith('data:'));
}

/** The text of the page's h1. */
export function headingOf(html: string): string {
  return unescapeHtml(
    /<h1[^>]*>([\s\S]*?)<\/h1>/
      .exec(html)?.[1]
      ?.replace(/<[^>]+>/g, '')
      .trim() ?? '',
  );
}

export class PageClient {
  readonly cookies = new Map<string, string>();
  /** The body of the last HTML page read. */
  html = '';

  /** `remoteAddress`: the client's address as the server sees it (127.0.0.1 by default). */
  constructor(
    readonly app: FastifyInstance,
    readonly lang: 'fr' | 'en' = 'fr',
    readonly remoteAddress?: string,
  ) {}

  private get from(): { remoteAddress?: string } {
    return this.remoteAddress ? { remoteAddress: this.remoteAddress } : {};
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return { accept: 'text/html,application/xhtml+xml', 'accept-language': this.lang, ...(cookie ? { cookie } : {}) };
  }

  private absorb(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired =
        cookie.value === '' ||
        cookie.maxAge === 0 ||
        (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (String(response.headers['content-type'] ?? '').startsWith('text/html')) this.html = response.body;
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.absorb(await this.app.inject({ method: 'GET', url, headers: this.headers(), ...this.from }));
  }

  /** Posts `form` with the _csrf token of the last page read (`csrf: false` leaves it out). */
  async post(
    url: string,
    form: Record<string, string>,
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams(form);
    if (options.csrf !== false && !body.has('_csrf')) body.set('_csrf', csrfOf(this.html));
    return this.absorb(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body.toString(),
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        ...this.from,
      }),
    );
  }
}

/** A mailer keeping every message, to read codes as the applicant would. */
export function capturingMailer(): Mailer & { sent: MailMessage[]; codeFor(address: string): string } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
    },
    codeFor(address) {
      for (const message of [...sent].reverse()) {
        if (message.to.toLowerCase() !== address.toLowerCase()) continue;
        const match = /(\d{4}) (\d{4})/.exec(message.text);
        if (match) return `${match[1]}${match[2]}`;
      }
      throw new Error(`no code sent to ${address}`);
    },
  };
}
