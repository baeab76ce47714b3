// The words of an evidence pack (domain/evidence-pack.ts): the investigator's guide, in plain
// French (GUIDE-fr.txt) and English (GUIDE-en.txt), and the lines of the French summary
// (summary.pdf). They state the pack's own particulars (scope, counts, head, key) so that each
// file can be read alone.
import { countByLabel, type PackEvent, type PackManifest } from './evidence-pack.ts';

type Particulars = Omit<PackManifest, 'files'>;

const list = (items: readonly string[], none: string) => (items.length ? items.join(', ') : none);

const KIND_FR: Record<string, string> = {
  security: 'événements de sécurité (tentatives refusées, avec adresse IP)',
  audit: 'actions des agents (journal d’audit)',
  draw: 'tirages au sort',
  commitment: 'engagements de tirage',
  request: 'demandes nommées (identité telle qu’enregistrée)',
  appointment: 'rendez-vous nommés (identité telle qu’enregistrée)',
};
const KIND_EN: Record<string, string> = {
  security: 'security events (refused attempts, with IP address)',
  audit: "agents' actions (audit trail)",
  draw: 'draws',
  commitment: 'draw commitments',
  request: 'named requests (identity as stored)',
  appointment: 'named appointments (identity as stored)',
};

const ROLE_FR: Record<string, string> = { supervisor: 'superviseur', admin: 'administrateur', counter: 'agent' };
const roleFr = (role: string): string => ROLE_FR[role] ?? role;

/** The summary lists this many events at most; the rest are in events.csv. */
export const SUMMARY_EVENTS_MAX = 300;

/** One line per security event and per record named: when, from where, what. */
function eventLines(events: readonly PackEvent[]): string[] {
  const listed = events.filter((e) => e.kind === 'security' || e.kind === 'request' || e.kind === 'appointment');
  const lines = listed.slice(0, SUMMARY_EVENTS_MAX).map((e) => {
    const at = `${e.at.slice(0, 10)} ${e.at.slice(11, 19)}Z`;
    if (e.kind === 'security') return `  ${at}  ${e.ip ?? '-'}  ${e.action}  ${e.subject}`;
    const who = JSON.parse(e.details) as { surname?: string; givenNames?: string };
    return `  ${at}  ${e.kind === 'request' ? 'demande' : 'rendez-vous'} ${e.subject} (${e.action}) : ${who.surname ?? ''} ${who.givenNames ?? ''}`;
  });
  if (listed.length > SUMMARY_EVENTS_MAX)
    lines.push(`  … et ${listed.length - SUMMARY_EVENTS_MAX} autres : voir events.csv`);
  return lines;
}

function scopeLines(m: Particulars, fr: boolean): string[] {
  const s = m.scope;
  return fr
    ? [
        `Préfecture : ${s.prefectureName} (${s.prefectureId})`,
        `Période : du ${s.from} au ${s.to} (UTC, fin exclue)`,
        `Demandes : ${list(s.requestIds, 'aucune nommée')}`,
        `Rendez-vous : ${list(s.appointmentIds, 'aucun nommé')}`,
        `Adresses (préfixes) : ${list(s.ipPrefixes, 'aucune nommée (toute la période)')}`,
      ]
    : [
        `Prefecture: ${s.prefectureName} (${s.prefectureId})`,
        `Period: from ${s.from} to ${s.to} (UTC, end excluded)`,
        `Requests: ${list(s.requestIds, 'none named')}`,
        `Appointments: ${list(s.appointmentIds, 'none named')}`,
        `Address prefixes: ${list(s.ipPrefixes, 'none named (the whole period)')}`,
      ];
}

function countLines(m: Particulars, fr: boolean): string[] {
  const names = fr ? KIND_FR : KIND_EN;
  return Object.entries(m.counts).map(([kind, n]) => `  ${String(n).padStart(6)}  ${names[kind] ?? kind}`);
}

/** GUIDE-fr.txt: what the pack is and how to check it, step by step. */
export function guideFr(m: Particulars): string {
  return `GUIDE DE VÉRIFICATION — dossier de preuves Créneau
==================================================

Ce dossier a été produit par Créneau (prise de rendez-vous des préfectures) le ${m.createdAt}
par ${m.createdBy.email} (${roleFr(m.createdBy.role)}), pour le motif : « ${m.reason} ».

${scopeLines(m, true).join('\n')}

Contenu :
${countLines(m, true).join('\n')}

Les fichiers
------------
  events.csv, events.json  un événement par ligne, les mêmes champs : kind (nature), id, at
                           (instant UTC), seq (numéro du maillon dans la chaîne de preuves), ip,
                           subject, action, details (le reste, en JSON), contentSha256, content
                           (le contenu de la ligne tel que la chaîne l’a haché)
  chain.json               les maillons de la chaîne de preuves, du premier événement du dossier
                           jusqu’à la tête de la chaîne (${m.chainHead.seq}:${m.chainHead.hash})
  manifest.json            l’empreinte SHA-256 et la taille de chaque fichier, le périmètre,
                           l’auteur, la date
  manifest.sig             la signature Ed25519 de manifest.json (64 octets bruts)
  public-key.pem           la clé publique du serveur (identifiant ${m.signature.keyId})
  SHA256SUMS               les mêmes empreintes, au format de sha256sum
  summary.pdf              le résumé en français

1. Vérifier avec l’outil (le plus simple)
-----------------------------------------
    creneau evidence verify-pack dossier.zip --public-key cle-publiee.pem

La clé publique est publiée par le service (GET /api/evidence/public-key, ou
« creneau evidence public-key » sur le serveur). L’outil vérifie la signature, l’empreinte de
chaque fichier, la concordance de events.csv et events.json, le contenu de chaque événement
contre son maillon, et chaque maillon jusqu’à la tête. Il répond « intact » (code 0), ou nomme
chaque fichier en défaut (code 1).

2. Vérifier à la main
---------------------
a) Décompresser, puis vérifier la signature du manifeste (OpenSSL 3) :
    unzip dossier.zip -d dossier && cd dossier
    openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
   La réponse doit être « Signature Verified Successfully ». Comparer public-key.pem avec la clé
   publiée (diff) : une signature n’a de valeur que par la clé que l’on sait être celle du service.
b) Vérifier les empreintes des fichiers :
    sha256sum -c SHA256SUMS
   et comparer SHA256SUMS avec la liste « files » de manifest.json (les mêmes empreintes).
c) Vérifier un événement : son contenu haché doit donner contentSha256, et le maillon de numéro
   seq dans chain.json doit porter ce même contentHash :
    printf '%s' 'CONTENU' | sha256sum
d) Vérifier les maillons : pour chaque maillon,
    hash = sha256("<prevHash>|<seq>|<kind>|<refId>|<contentHash>")   (hexadécimal)
   par exemple : printf '%s' 'PREVHASH|12|security|5|CONTENTHASH' | sha256sum
   et le prevHash de chaque maillon est le hash du maillon précédent. Le dernier maillon est la
   tête de la chaîne.
e) Comparer la tête avec une copie tenue hors du service : la tête est envoyée chaque jour aux
   destinataires désignés (greffe, notaire…) et affichée sur la page des tirages de la
   préfecture ; toute copie plus récente doit contenir ce maillon avec ce hash, ce que vérifie sur
   le serveur : creneau audit verify --expect-head ${m.chainHead.seq}:${m.chainHead.hash}

Conservation
------------
L’export a placé une conservation (« legal hold ») sur les données du dossier : elles ne sont
pas purgées au terme des 6 mois de conservation des événements de sécurité tant que la
conservation n’est pas levée à la main (creneau evidence release NUMÉRO --by ADRESSE), une fois
la plainte traitée.
`;
}

/** GUIDE-en.txt: the same, in English. */
export function guideEn(m: Particulars): string {
  return `VERIFICATION GUIDE — Créneau evidence pack
==========================================

This pack was produced by Créneau (the prefectures' appointment service) at ${m.createdAt}
by ${m.createdBy.email} (${m.createdBy.role}), for: "${m.reason}".

${scopeLines(m, false).join('\n')}

Contents:
${countLines(m, false).join('\n')}

1. With the tool:
    creneau evidence verify-pack pack.zip --public-key published-key.pem
   (the key: GET /api/evidence/public-key, or "creneau evidence public-key" on the server).
   Exit 0 "intact", or 1 naming each file at fault.

2. By hand:
    unzip pack.zip -d pack && cd pack
    openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
    diff public-key.pem published-key.pem
    sha256sum -c SHA256SUMS        (and compare with manifest.json's "files")
   An event: sha256(content) = contentSha256 = the contentHash of link seq in chain.json.
   A link:   hash = sha256("<prevHash>|<seq>|<kind>|<refId>|<contentHash>"), and each prevHash is
             the previous link's hash; the last link is the head ${m.chainHead.seq}:${m.chainHead.hash}.
   Compare the head with a copy kept outside the service (sent daily to named recipients, shown
   on the prefecture's draws page); on the server: creneau audit verify --expect-head SEQ:HASH.

The export placed a legal hold on the pack's data: it is not purged after the 6 months security
events are kept until the hold is released by hand (creneau evidence release ID --by EMAIL).
`;
}

/** The summary's lines (summary.pdf, in French): a title, then lines; "" is a blank line, "# " opens a heading. */
export function summaryLinesFr(m: Particulars, events: readonly PackEvent[]): { title: string; lines: string[] } {
  const labels = countByLabel(events).map(([label, n]) => `  ${n} × ${label}`);
  const listed = eventLines(events);
  return {
    title: 'Dossier de preuves — résumé',
    lines: [
      `Produit le ${m.createdAt} par ${m.createdBy.email} (${roleFr(m.createdBy.role)}).`,
      `Motif : ${m.reason}`,
      '',
      '# Périmètre',
      ...scopeLines(m, true),
      '',
      '# Contenu (nombre par nature)',
      ...countLines(m, true),
      ...(labels.length ? ['', '# Par motif (sécurité) et par action (audit)', ...labels] : []),
      ...(listed.length
        ? ['', '# Tentatives refusées et dossiers nommés (instant UTC, adresse, motif)', ...listed]
        : []),
      '',
      '# Chaîne de preuves',
      `Tête de la chaîne au moment de l’export : maillon ${m.chainHead.seq}`,
      `  ${m.chainHead.hash}`,
      `Maillons des événements du dossier : ${m.included.length}`,
      '',
      '# Vérifier',
      `Signature Ed25519 du manifeste (clé ${m.signature.keyId}) : manifest.sig, clé : public-key.pem.`,
      '  creneau evidence verify-pack dossier.zip --public-key cle-publiee.pem',
      'ou à la main (OpenSSL, sha256sum) : voir GUIDE-fr.txt.',
      '',
      'Une conservation (legal hold) empêche la purge de ces données jusqu’à sa levée.',
    ],
  };
}
