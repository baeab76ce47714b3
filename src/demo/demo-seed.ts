// Demo data: a realistic catalogue (Seine-Saint-Denis with its sub-prefectures and a
// university antenna, plus Guyane to show an overseas time zone), opening rules, the
// slots they give over the horizon, about forty booked appointments, and the embedded AGDREF
// registry's fictitious residents (adapters/registry/fictitious-residents.ts). Bookings of
// registry-checked procedures use those residents, renewals only residents whose permit is
// inside its renewal window on the day of the seed.
// Naturalisation interviews in Seine-Saint-Denis are allocated by draws (first in, first
// served within each priority class): about thirty requests wait for them, with varied
// preferences and urgency, and the prefecture draws every day at 07:00 and after each release.
// Everything is deterministic (derived from indexes and the clock, no randomness) and
// every identity is fictitious: emails at example.org / example.net, made-up numbers.
// Seeding twice does nothing the second time (prefecture 93 is the marker).
// Not an adapter: it books and files through the use cases, so it sits beside the composition
// root (src/demo may use app and adapters; nothing but entry points and tests imports it).

import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { createCallbackStore } from '../adapters/db/callback-store.ts';
import type { Db } from '../adapters/db/database.ts';
import { createDrawStore } from '../adapters/db/draw-store.ts';
import { cancelAllPendingMessages } from '../adapters/db/outbox-store.ts';
import { createRequestStore } from '../adapters/db/request-store.ts';
import { createScheduleStore } from '../adapters/db/schedule-store.ts';
import type { TimeWindowJson } from '../adapters/db/schema.ts';
import { insertRegistryResidents } from '../adapters/registry/db-registry.ts';
import { type FictitiousResident, fictitiousResidents } from '../adapters/registry/fictitious-residents.ts';
import type { AgentUseCases } from '../app/agents/agent-use-cases.ts';
import type { NewAgentInput } from '../app/agents/create-agent.ts';
import { emailCodeDigest } from '../app/applicants/email-verification.ts';
import { bookSlot } from '../app/booking/book-slot.ts';
import { materialiseSlots } from '../app/catalogue/materialise-slots.ts';
import { allocationContext } from '../app/draws/allocation-context.ts';
import { runDrawForTick } from '../app/draws/run-draw.ts';
import { fileRequest } from '../app/requests/file-request.ts';
import { type RequestContext, requestContext } from '../app/requests/request-context.ts';
import type { AppContext } from '../app/shared/context.ts';
import { addDays, isoWeekday } from '../domain/calendar-date.ts';
import { nameBirthDateKey } from '../domain/duplicate-rules.ts';
import { isDomainError } from '../domain/errors.ts';
import { isPublicHoliday } from '../domain/holidays.ts';
import { type ApplicantIdentity, emailKey } from '../domain/identity.ts';
import { localDateOf } from '../domain/local-time.ts';
import {
  type EmailCodePurpose,
  normaliseVerifiedEmail,
  verificationIdFromRandomBytes,
} from '../domain/one-time-code.ts';
import { DEFAULT_RENEWAL_WINDOW, evaluateRegistryCheck, type RenewalWindow } from '../domain/registry-check.ts';
import type { PreferencesInput } from '../domain/request-rules.ts';

export interface DemoSeedReport {
  skipped: boolean;
  prefectures: number;
  sites: number;
  counters: number;
  procedures: number;
  openingRules: number;
  slots: number;
  appointments: number;
  requests: number;
  /** Past appointments already handled at the counter (for the statistics). */
  history: number;
}

const MARKER_PREFECTURE = '93';
const DEMO_APPOINTMENTS = 40;
const DEMO_REQUESTS = 45;
/** The procedure of the demo allocated by draws. */
const ALLOCATED_PROCEDURE = 'naturalisation';
/** Demand well above supply: every slot is drawn among requests (daily draws). */
const SCARCE_PROCEDURES = ['premiere-demande', 'renouvellement', ALLOCATED_PROCEDURE] as const;
/** Supply above demand: draws every 15 minutes find nobody waiting, and open the slots to first-come booking. */
const CALM_PROCEDURES = ['remise-titre', 'duplicata', 'etudiant', 'passeport-talent'] as const;

// ---------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------

interface PrefectureSeed {
  id: string;
  name: string;
  timeZone: string;
  phone: string;
}
interface SiteSeed {
  id: string;
  prefectureId: string;
  kind: 'prefecture' | 'sub_prefecture' | 'antenna';
  name: string;
  address: string;
  phone: string;
  publicHours: string;
  counters: number;
}

const PREFECTURES: PrefectureSeed[] = [
  { id: '93', name: 'Préfecture de la Seine-Saint-Denis', timeZone: 'Europe/Paris', phone: '01 41 60 60 00' },
  { id: '973', name: 'Préfecture de la Guyane', timeZone: 'America/Cayenne', phone: '05 94 39 45 00' },
];

const SITES: SiteSeed[] = [
  {
    id: 'bobigny',
    prefectureId: '93',
    kind: 'prefecture',
    counters: 6,
    name: 'Préfecture de la Seine-Saint-Denis — Bobigny',
    address: '1 esplanade Jean Moulin, 93000 Bobigny',
    phone: '01 41 60 60 10',
    publicHours: 'Lundi–vendredi 9 h–16 h, sur rendez-vous uniquement ; accueil téléphonique 9 h–12 h',
  },
  {
    id: 'saint-denis',
    prefectureId: '93',
    kind: 'sub_prefecture',
    counters: 3,
    name: 'Sous-préfecture de Saint-Denis',
    address: '29 rue de la République, 93200 Saint-Denis',
    phone: '01 49 33 20 00',
    publicHours: 'Lundi–vendredi 9 h–16 h ; accueil téléphonique 9 h–12 h',
  },
  {
    id: 'le-raincy',
    prefectureId: '93',
    kind: 'sub_prefecture',
    counters: 2,
    name: 'Sous-préfecture du Raincy',
    address: '18 avenue Thiers, 93340 Le Raincy',
    phone: '01 43 01 80 00',
    publicHours: 'Lundi–vendredi 9 h–16 h (vendredi après-midi : remises de titres) ; accueil téléphonique 9 h–12 h',
  },
  {
    id: 'antenne-villetaneuse',
    prefectureId: '93',
    kind: 'antenna',
    counters: 2,
    name: 'Antenne universitaire — Université Sorbonne Paris Nord, Villetaneuse',
    address: '99 avenue Jean-Baptiste Clément, 93430 Villetaneuse',
    phone: '01 49 40 30 50',
    publicHours: 'Lundi–vendredi 9 h 30–16 h 30, étudiants et chercheurs uniquement, sur rendez-vous',
  },
  {
    id: 'cayenne',
    prefectureId: '973',
    kind: 'prefecture',
    counters: 2,
    name: 'Préfecture de la Guyane — Cayenne',
    address: '1 rue Fiedmond, 97300 Cayenne',
    phone: '05 94 39 45 10',
    publicHours: 'Lundi–vendredi 8 h 30–15 h 30 ; accueil téléphonique 8 h–12 h',
  },
];

const counterId = (siteId: string, n: number) => `${siteId}-guichet-${n}`;

interface ProcedureSeed {
  id: string;
  nameFr: string;
  nameEn: string;
  descriptionFr: string;
  descriptionEn: string;
  slotMinutes: number;
  identityProof: 'agdref' | 'passport';
  channel: 'appointment' | 'postal' | 'online';
  releaseDaysAhead: number;
  releaseTime: string;
  instructionsFr?: string;
  instructionsEn?: string;
  /** Checked against the AGDREF registry; with a renewal window (months before expiry) for renewals. */
  registryCheck?: boolean;
  renewalWindow?: RenewalWindow;
  alternativeProcedureId?: string;
}

const ANEF = 'https://administration-etrangers-en-france.interieur.gouv.fr';

const PROCEDURES: ProcedureSeed[] = [
  {
    id: 'premiere-demande',
    slotMinutes: 30,
    identityProof: 'passport',
    channel: 'appointment',
    releaseDaysAhead: 30,
    releaseTime: '08:00',
    nameFr: 'Première demande de titre de séjour',
    nameEn: 'First residence permit application',
    descriptionFr:
      "Pour les personnes qui demandent un titre de séjour pour la première fois : apportez votre passeport, un justificatif de domicile de moins de 3 mois et 3 photos d'identité.",
    descriptionEn:
      'For people applying for a residence permit for the first time: bring your passport, proof of address less than 3 months old and 3 identity photos.',
  },
  {
    id: 'renouvellement',
    slotMinutes: 20,
    identityProof: 'agdref',
    channel: 'appointment',
    releaseDaysAhead: 21,
    releaseTime: '08:00',
    registryCheck: true,
    renewalWindow: DEFAULT_RENEWAL_WINDOW,
    alternativeProcedureId: 'premiere-demande',
    nameFr: 'Renouvellement de titre de séjour',
    nameEn: 'Residence permit renewal',
    descriptionFr:
      'Pour renouveler un titre de séjour dans les 2 à 4 mois avant son expiration : apportez votre titre actuel, votre passeport et un justificatif de domicile récent.',
    descriptionEn:
      'To renew a residence permit in the 2 to 4 months before it expires: bring your current permit, your passport and a recent proof of address.',
  },
  {
    id: ALLOCATED_PROCEDURE,
    slotMinutes: 45,
    identityProof: 'passport',
    channel: 'appointment',
    releaseDaysAhead: 30,
    releaseTime: '08:00',
    nameFr: "Entretien d'assimilation (naturalisation)",
    nameEn: 'Naturalisation interview',
    descriptionFr:
      'Pour les personnes dont la demande de naturalisation a été déposée : apportez votre passeport, votre titre de séjour et les originaux des pièces du dossier.',
    descriptionEn:
      'For people whose naturalisation application has been filed: bring your passport, your residence permit and the originals of the documents in your file.',
  },
  {
    id: 'duplicata',
    slotMinutes: 15,
    identityProof: 'agdref',
    channel: 'appointment',
    releaseDaysAhead: 14,
    releaseTime: '08:00',
    registryCheck: true,
    nameFr: 'Duplicata de titre de séjour (perte ou vol)',
    nameEn: 'Duplicate residence permit (lost or stolen)',
    descriptionFr:
      'Pour remplacer un titre de séjour perdu ou volé : apportez la déclaration de perte ou le récépissé de plainte pour vol, votre passeport et 3 photos.',
    descriptionEn:
      'To replace a lost or stolen residence permit: bring the loss declaration or the police theft report, your passport and 3 photos.',
  },
  {
    id: 'changement-adresse',
    slotMinutes: 15,
    identityProof: 'agdref',
    channel: 'online',
    releaseDaysAhead: 0,
    releaseTime: '08:00',
    nameFr: "Changement d'adresse",
    nameEn: 'Change of address',
    descriptionFr:
      "Pour signaler un déménagement quand vous avez un titre de séjour en cours de validité : aucun déplacement n'est nécessaire.",
    descriptionEn: 'To report a move while your residence permit is valid: no visit is needed.',
    instructionsFr: `Cette démarche se fait uniquement en ligne, sur le site de l'ANEF : ${ANEF}. Munissez-vous de votre numéro étranger (AGDREF) et d'un justificatif de votre nouvelle adresse.`,
    instructionsEn: `This procedure is online only, on the ANEF website: ${ANEF}. Have your foreigner number (AGDREF) and proof of your new address at hand.`,
  },
  {
    id: 'etudiant',
    slotMinutes: 20,
    identityProof: 'passport',
    channel: 'appointment',
    releaseDaysAhead: 21,
    releaseTime: '09:00',
    nameFr: 'Titre de séjour étudiant',
    nameEn: 'Student residence permit',
    descriptionFr:
      "Pour les étudiants étrangers inscrits dans un établissement d'enseignement supérieur : apportez votre passeport, votre certificat de scolarité et un justificatif de ressources.",
    descriptionEn:
      'For foreign students enrolled in higher education: bring your passport, your enrolment certificate and proof of means of support.',
  },
  {
    id: 'passeport-talent',
    slotMinutes: 30,
    identityProof: 'passport',
    channel: 'appointment',
    releaseDaysAhead: 30,
    releaseTime: '08:00',
    nameFr: 'Passeport talent',
    nameEn: 'Talent passport',
    descriptionFr:
      "Pour les chercheurs, salariés qualifiés, créateurs d'entreprise et artistes : apportez votre passeport, votre contrat de travail ou convention d'accueil et vos diplômes.",
    descriptionEn:
      'For researchers, highly skilled employees, company founders and artists: bring your passport, your employment contract or hosting agreement and your diplomas.',
  },
  {
    id: 'remise-titre',
    slotMinutes: 15,
    identityProof: 'agdref',
    channel: 'appointment',
    releaseDaysAhead: 14,
    releaseTime: '08:00',
    registryCheck: true,
    nameFr: 'Remise de titre de séjour',
    nameEn: 'Residence permit collection',
    descriptionFr:
      'Pour retirer votre titre de séjour après avoir reçu le SMS de mise à disposition : apportez votre récépissé, votre ancien titre et les timbres fiscaux.',
    descriptionEn:
      'To collect your residence permit once you have received the text message saying it is ready: bring your receipt, your old permit and the tax stamps.',
  },
  {
    id: 'regroupement-familial',
    slotMinutes: 30,
    identityProof: 'agdref',
    channel: 'postal',
    releaseDaysAhead: 0,
    releaseTime: '08:00',
    nameFr: 'Regroupement familial',
    nameEn: 'Family reunification',
    descriptionFr:
      'Pour les étrangers résidant régulièrement en France depuis au moins 18 mois qui souhaitent faire venir leur conjoint et leurs enfants mineurs.',
    descriptionEn:
      'For foreigners who have lived lawfully in France for at least 18 months and wish to bring their spouse and minor children.',
    instructionsFr:
      "Le dossier se dépose par courrier : envoyez le formulaire cerfa n° 11436 complété et les copies des pièces justificatives, en lettre recommandée avec accusé de réception, à : Préfecture de la Seine-Saint-Denis, Bureau du regroupement familial, 1 esplanade Jean Moulin, 93007 Bobigny Cedex. N'envoyez jamais d'originaux.",
    instructionsEn:
      'The file is sent by post: send the completed cerfa form no. 11436 and copies of the supporting documents, by registered letter with acknowledgement of receipt, to: Préfecture de la Seine-Saint-Denis, Bureau du regroupement familial, 1 esplanade Jean Moulin, 93007 Bobigny Cedex. Never send originals.',
  },
];

const SLOT_MINUTES = new Map(PROCEDURES.map((p) => [p.id, p.slotMinutes]));

const MORNING: TimeWindowJson = { start: '09:00', end: '12:00' };
const AFTERNOON: TimeWindowJson = { start: '13:30', end: '16:00' };
const FULL_DAY = [MORNING, AFTERNOON];
const MON_FRI = [1, 2, 3, 4, 5];
const MON_THU = [1, 2, 3, 4];

interface RuleSeed {
  counter: string;
  procedure: string;
  weekdays: number[];
  windows: TimeWindowJson[];
}

// A counter never has two overlapping open slots (slot_no_overlap), so a counter serving
// two procedures does so on different days or half-days.
/** The share of each day's slots of 93's direct procedures reserved for the phone / counter channel. */
const DEMO_RESERVED_PERCENT = 20;

const RULES: RuleSeed[] = [
  // Bobigny
  { counter: counterId('bobigny', 1), procedure: 'premiere-demande', weekdays: MON_FRI, windows: FULL_DAY },
  { counter: counterId('bobigny', 2), procedure: 'premiere-demande', weekdays: MON_THU, windows: FULL_DAY },
  { counter: counterId('bobigny', 2), procedure: 'passeport-talent', weekdays: [5], windows: FULL_DAY },
  { counter: counterId('bobigny', 3), procedure: 'renouvellement', weekdays: MON_FRI, windows: FULL_DAY },
  { counter: counterId('bobigny', 4), procedure: 'renouvellement', weekdays: MON_FRI, windows: [MORNING] },
  { counter: counterId('bobigny', 4), procedure: 'duplicata', weekdays: MON_FRI, windows: [AFTERNOON] },
  { counter: counterId('bobigny', 5), procedure: 'naturalisation', weekdays: MON_THU, windows: FULL_DAY },
  { counter: counterId('bobigny', 6), procedure: 'remise-titre', weekdays: MON_FRI, windows: FULL_DAY },
  // Saint-Denis
  { counter: counterId('saint-denis', 1), procedure: 'premiere-demande', weekdays: MON_FRI, windows: FULL_DAY },
  { counter: counterId('saint-denis', 2), procedure: 'renouvellement', weekdays: MON_FRI, windows: [MORNING] },
  { counter: counterId('saint-denis', 2), procedure: 'duplicata', weekdays: MON_FRI, windows: [AFTERNOON] },
  { counter: counterId('saint-denis', 3), procedure: 'remise-titre', weekdays: MON_THU, windows: FULL_DAY },
  { counter: counterId('saint-denis', 3), procedure: 'naturalisation', weekdays: [5], windows: [MORNING] },
  // Le Raincy
  { counter: counterId('le-raincy', 1), procedure: 'renouvellement', weekdays: MON_THU, windows: FULL_DAY },
  { counter: counterId('le-raincy', 2), procedure: 'premiere-demande', weekdays: MON_THU, windows: [MORNING] },
  { counter: counterId('le-raincy', 2), procedure: 'remise-titre', weekdays: MON_FRI, windows: [AFTERNOON] },
  // University antenna: students and researchers only
  {
    counter: counterId('antenne-villetaneuse', 1),
    procedure: 'etudiant',
    weekdays: MON_FRI,
    windows: [
      { start: '09:30', end: '12:30' },
      { start: '14:00', end: '16:30' },
    ],
  },
  {
    counter: counterId('antenne-villetaneuse', 2),
    procedure: 'passeport-talent',
    weekdays: MON_THU,
    windows: [{ start: '09:30', end: '12:30' }],
  },
  {
    counter: counterId('antenne-villetaneuse', 2),
    procedure: 'etudiant',
    weekdays: MON_THU,
    windows: [{ start: '14:00', end: '16:30' }],
  },
  // Cayenne
  { counter: counterId('cayenne', 1), procedure: 'renouvellement', weekdays: MON_FRI, windows: [MORNING] },
  {
    counter: counterId('cayenne', 1),
    procedure: 'premiere-demande',
    weekdays: MON_THU,
    windows: [{ start: '13:30', end: '15:30' }],
  },
  { counter: counterId('cayenne', 2), procedure: 'remise-titre', weekdays: MON_FRI, windows: [MORNING] },
  {
    counter: counterId('cayenne', 2),
    procedure: 'duplicata',
    weekdays: MON_THU,
    windows: [{ start: '13:30', end: '15:30' }],
  },
];

// ---------------------------------------------------------------------------
// Calendar helpers
// ---------------------------------------------------------------------------

/** First date on or after `date` with one of `weekdays` that is not a public holiday. */
function nextOpenDay(date: string, weekdays: number[], departement: string): string {
  let d = date;
  while (!weekdays.includes(isoWeekday(d)) || isPublicHoliday(d, departement)) d = addDays(d, 1);
  return d;
}

// ---------------------------------------------------------------------------
// Fictitious applicants
// ---------------------------------------------------------------------------

interface PeopleGroup {
  nationality: string;
  surnames: string[];
  givenNames: string[];
}

const PEOPLE_93: PeopleGroup[] = [
  {
    nationality: 'DZA',
    surnames: ['Benali', 'Haddad', 'Mansouri', 'Boukhelifa'],
    givenNames: ['Yacine', 'Amel', 'Karim', 'Nesrine'],
  },
  {
    nationality: 'MLI',
    surnames: ['Keïta', 'Traoré', 'Coulibaly', 'Diarra'],
    givenNames: ['Moussa', 'Fatoumata', 'Bakary', 'Aïssata'],
  },
  {
    nationality: 'MAR',
    surnames: ['El Amrani', 'Benjelloun', 'Tazi', 'Alaoui'],
    givenNames: ['Youssef', 'Salma', 'Mehdi', 'Imane'],
  },
  { nationality: 'CHN', surnames: ['Wang', 'Li', 'Zhang', 'Chen'], givenNames: ['Wei', 'Xiaoming', 'Jing', 'Yan'] },
  {
    nationality: 'SEN',
    surnames: ['Ndiaye', 'Diop', 'Fall', 'Sow'],
    givenNames: ['Mamadou', 'Awa', 'Cheikh', 'Khady'],
  },
  {
    nationality: 'TUN',
    surnames: ['Trabelsi', 'Ben Salah', 'Jaziri', 'Gharbi'],
    givenNames: ['Aymen', 'Rania', 'Sami', 'Ines'],
  },
  {
    nationality: 'CIV',
    surnames: ['Kouassi', 'Koné', 'Yao', 'Bamba'],
    givenNames: ['Serge', 'Adjoua', 'Ibrahim', 'Affoué'],
  },
  {
    nationality: 'IND',
    surnames: ['Sharma', 'Patel', 'Iyer', 'Reddy'],
    givenNames: ['Priya', 'Arjun', 'Ananya', 'Rohan'],
  },
  {
    nationality: 'COD',
    surnames: ['Mbuyi', 'Kalonji', 'Tshibanda', 'Ilunga'],
    givenNames: ['Patrick', 'Grâce', 'Divine', 'Christian'],
  },
  {
    nationality: 'LKA',
    surnames: ['Perera', 'Fernando', 'Sivakumar', 'Rajapaksha'],
    givenNames: ['Nirmala', 'Tharindu', 'Kavitha', 'Dinesh'],
  },
  {
    nationality: 'TUR',
    surnames: ['Yılmaz', 'Demir', 'Kaya', 'Şahin'],
    givenNames: ['Emre', 'Elif', 'Mehmet', 'Zeynep'],
  },
  {
    nationality: 'CMR',
    surnames: ['Mbarga', 'Nkoulou', 'Ewane', 'Fotso'],
    givenNames: ['Arnaud', 'Christelle', 'Blaise', 'Nadine'],
  },
  {
    nationality: 'BGD',
    surnames: ['Rahman', 'Hossain', 'Islam', 'Akter'],
    givenNames: ['Tanvir', 'Nusrat', 'Rafiq', 'Sharmin'],
  },
  {
    nationality: 'GIN',
    surnames: ['Barry', 'Bah', 'Camara', 'Sylla'],
    givenNames: ['Alpha', 'Mariama', 'Ousmane', 'Kadiatou'],
  },
  {
    nationality: 'UKR',
    surnames: ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko'],
    givenNames: ['Olena', 'Andriy', 'Iryna', 'Dmytro'],
  },
  {
    nationality: 'VNM',
    surnames: ['Nguyen', 'Tran', 'Pham', 'Le'],
    givenNames: ['Thi Lan', 'Van Minh', 'Thu Ha', 'Duc Anh'],
  },
  {
    nationality: 'AFG',
    surnames: ['Ahmadi', 'Karimi', 'Rahimi', 'Noori'],
    givenNames: ['Farid', 'Zahra', 'Jawad', 'Mariam'],
  },
  {
    nationality: 'COL',
    surnames: ['García', 'Rodríguez', 'Martínez', 'Gómez'],
    givenNames: ['Camila', 'Andrés', 'Valentina', 'Santiago'],
  },
];

const PEOPLE_973: PeopleGroup[] = [
  {
    nationality: 'HTI',
    surnames: ['Joseph', 'Pierre-Louis', 'Jean-Baptiste', 'Charles'],
    givenNames: ['Wilson', 'Nadège', 'Ricardo', 'Fabienne'],
  },
  {
    nationality: 'BRA',
    surnames: ['Silva', 'Oliveira', 'Souza', 'Pereira'],
    givenNames: ['João', 'Mariana', 'Ana Paula', 'Rafael'],
  },
  {
    nationality: 'SUR',
    surnames: ['Pinas', 'Amatali', 'Kromosoeto', 'Linger'],
    givenNames: ['Ramon', 'Sharon', 'Glenn', 'Priscilla'],
  },
  {
    nationality: 'GUY',
    surnames: ['Persaud', 'Singh', 'Ramdass', 'Baptiste'],
    givenNames: ['Kevin', 'Shonette', 'Ravi', 'Natasha'],
  },
];

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

function asciiSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/ş/g, 's')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A fictitious, unused address: "amel.haddad84@example.org". */
function demoEmail(i: number, givenNames: string, surname: string, year: number, usedEmails: Set<string>): string {
  const domain = i % 3 === 1 ? 'example.net' : 'example.org';
  const base = `${asciiSlug(givenNames.split(' ')[0]!)}.${asciiSlug(surname)}`;
  let email = `${base}${String(year).slice(2)}@${domain}`;
  for (let n = 2; usedEmails.has(email); n++) email = `${base}${String(year).slice(2)}-${n}@${domain}`;
  usedEmails.add(email);
  return email;
}

/** A registry resident booking as themselves: their registry identity, their AGDREF number. */
function residentApplicant(
  i: number,
  resident: FictitiousResident,
  usedEmails: Set<string>,
): ApplicantIdentity & { email: string } {
  const email = demoEmail(i, resident.givenNames, resident.surname, Number(resident.birthDate.slice(0, 4)), usedEmails);
  return {
    surname: resident.surname,
    givenNames: resident.givenNames,
    birthDate: resident.birthDate,
    nationality: resident.nationality,
    email,
    agdrefNumber: resident.agdrefNumber,
  };
}

interface RegistryCheckedSlot {
  prefecture_id: string;
  renewal_window_start_months: number | null;
  renewal_window_end_months: number | null;
}

/**
 * Hands out each fictitious resident once, to a procedure the registry check lets them book
 * today: a renewal goes to a resident inside the renewal window, a duplicate or a permit
 * handover to one whose valid permit is not yet renewable (so renewals keep theirs).
 */
function residentPicker(now: Date): (slot: RegistryCheckedSlot) => FictitiousResident | null {
  const timeZoneOf = new Map(PREFECTURES.map((p) => [p.id, p.timeZone]));
  // The reference date seedCatalogue used for the registry.
  const residents = fictitiousResidents(localDateOf(now, timeZoneOf.get(MARKER_PREFECTURE)!));
  const used = new Set<string>();
  return (slot) => {
    const today = localDateOf(now, timeZoneOf.get(slot.prefecture_id)!);
    const renewalWindow =
      slot.renewal_window_start_months !== null && slot.renewal_window_end_months !== null
        ? { startMonths: slot.renewal_window_start_months, endMonths: slot.renewal_window_end_months }
        : null;
    const resident = residents.find(
      (r) =>
        !used.has(r.agdrefNumber) &&
        r.homePrefectureId === slot.prefecture_id &&
        (renewalWindow
          ? evaluateRegistryCheck({
              record: r,
              surname: r.surname,
              birthDate: r.birthDate,
              procedure: { renewalWindow, alternativeProcedureId: null },
              today,
            }).ok
          : r.situation === 'too_early'),
    );
    if (resident) used.add(resident.agdrefNumber);
    return resident ?? null;
  };
}

/** The i-th demo applicant, shaped for the procedure's identity proof. */
function demoApplicant(
  i: number,
  prefectureId: string,
  procedureId: string,
  proof: 'agdref' | 'passport',
  usedEmails: Set<string>,
): ApplicantIdentity & { email: string } {
  const groups = prefectureId === '973' ? PEOPLE_973 : PEOPLE_93;
  const group = groups[i % groups.length]!;
  const round = Math.floor(i / groups.length);
  const surname = group.surnames[round % group.surnames.length]!;
  const givenNames = group.givenNames[(i + round) % group.givenNames.length]!;
  const young = procedureId === 'etudiant';
  const year = young ? 1999 + (i % 7) : 1962 + ((i * 7) % 38);
  const birthDate = `${year}-${String(((i * 5) % 12) + 1).padStart(2, '0')}-${String(((i * 11) % 28) + 1).padStart(2, '0')}`;

  const email = demoEmail(i, givenNames, surname, year, usedEmails);
  const identity: ApplicantIdentity & { email: string } = {
    surname,
    givenNames,
    birthDate,
    nationality: group.nationality,
    email,
  };
  if (proof === 'agdref') {
    // 10 digits; 7919 is prime, so distinct indexes give distinct numbers.
    const serial = String((i * 7919 + 1_234_567) % 100_000_000).padStart(8, '0');
    identity.agdrefNumber = `${prefectureId === '973' ? '97' : '93'}${serial}`;
  } else {
    const letters = `${LETTERS[i % LETTERS.length]}${LETTERS[(i * 7 + 3) % LETTERS.length]}`;
    identity.passportNumber = `${letters}${String((((i + 11) * 104_729) % 9_000_000) + 1_000_000)}`;
  }
  return identity;
}

/**
 * An email verification whose code the caller already knows: the seed (and storage tests)
 * play the applicant who read the message. Online bookings then spend it as real ones do.
 */
export async function presetEmailProof(
  ctx: AppContext,
  email: string,
  purpose: EmailCodePurpose,
  code: string,
): Promise<{ verificationId: string; code: string }> {
  const id = verificationIdFromRandomBytes(ctx.secrets.randomBytes(16));
  const now = ctx.clock.now();
  await ctx.emailVerifications.insertEmailVerification({
    id,
    email: normaliseVerifiedEmail(email),
    emailKey: emailKey(email),
    purpose,
    codeHash: emailCodeDigest(ctx.hasher, id, code),
    maxAttempts: ctx.emailCodes.maxAttempts,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 10 * 60_000),
  });
  return { verificationId: id, code };
}

const demoEmailProof = (ctx: AppContext, email: string, i: number) =>
  presetEmailProof(ctx, email, 'booking', String(10_000_000 + ((i * 7_919_113) % 89_999_999)));

function demoChannel(i: number): 'online' | 'phone' | 'counter' {
  if (i % 7 === 3) return 'phone';
  if (i % 11 === 5) return 'counter';
  return 'online';
}

// ---------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------

export async function hasCatalogue(db: Db): Promise<boolean> {
  const row = await db.selectFrom('prefecture').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

interface CatalogueCounts {
  prefectures: number;
  sites: number;
  counters: number;
  procedures: number;
  openingRules: number;
}

async function seedCatalogue(db: Db, now: Date): Promise<CatalogueCounts | null> {
  return db.transaction().execute(async (trx) => {
    const prefecturesInserted = await trx
      .insertInto('prefecture')
      .values(PREFECTURES.map((p) => ({ id: p.id, name: p.name, time_zone: p.timeZone, phone: p.phone })))
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    // The marker already existed: an earlier seed (or real data) is there; touch nothing.
    if (!prefecturesInserted.some((p) => p.id === MARKER_PREFECTURE)) return null;

    await trx
      .insertInto('site')
      .values(
        SITES.map((s) => ({
          id: s.id,
          prefecture_id: s.prefectureId,
          kind: s.kind,
          name: s.name,
          address: s.address,
          phone: s.phone,
          public_hours: s.publicHours,
        })),
      )
      .execute();

    const counters = SITES.flatMap((s) =>
      Array.from({ length: s.counters }, (_, i) => ({
        id: counterId(s.id, i + 1),
        site_id: s.id,
        name: `Guichet ${i + 1}`,
      })),
    );
    await trx.insertInto('counter').values(counters).execute();

    await trx
      .insertInto('procedure')
      .values(
        PROCEDURES.map((p) => ({
          id: p.id,
          name_fr: p.nameFr,
          name_en: p.nameEn,
          description_fr: p.descriptionFr,
          description_en: p.descriptionEn,
          slot_minutes: p.slotMinutes,
          identity_proof: p.identityProof,
          channel: p.channel,
          release_days_ahead: p.releaseDaysAhead,
          release_time: p.releaseTime,
          instructions_fr: p.instructionsFr ?? '',
          instructions_en: p.instructionsEn ?? '',
          registry_check: p.registryCheck ?? false,
          renewal_window_start_months: p.renewalWindow?.startMonths ?? null,
          renewal_window_end_months: p.renewalWindow?.endMonths ?? null,
          alternative_procedure_id: p.alternativeProcedureId ?? null,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();

    const prefectureOf = new Map(SITES.map((s) => [s.id, s.prefectureId]));
    const timeZoneOf = new Map(PREFECTURES.map((p) => [p.id, p.timeZone]));
    const todayIn = (siteId: string) => localDateOf(now, timeZoneOf.get(prefectureOf.get(siteId)!)!);
    const siteOfCounter = (id: string) => SITES.find((s) => id.startsWith(`${s.id}-guichet-`))!.id;

    await trx
      .insertInto('opening_rule')
      .values(
        RULES.map((r) => ({
          counter_id: r.counter,
          procedure_id: r.procedure,
          weekdays: sql<number[]>`cast(${`{${r.weekdays.join(',')}}`} as smallint[])`,
          valid_from: addDays(todayIn(siteOfCounter(r.counter)), -60),
          valid_until: null,
          windows: JSON.stringify(r.windows),
          slot_minutes: SLOT_MINUTES.get(r.procedure)!,
        })),
      )
      .execute();

    // Seine-Saint-Denis keeps a fifth of each day's slots of its procedures for the phone and
    // counter channel (agents book them for callers: /agent/on-behalf).
    const reservedPairs = new Map<string, { site_id: string; procedure_id: string; reserved_percent: number }>();
    for (const r of RULES) {
      const siteId = siteOfCounter(r.counter);
      const procedure = PROCEDURES.find((p) => p.id === r.procedure);
      if (prefectureOf.get(siteId) !== MARKER_PREFECTURE || procedure?.channel !== 'appointment') continue;
      reservedPairs.set(`${siteId}/${r.procedure}`, {
        site_id: siteId,
        procedure_id: r.procedure,
        reserved_percent: DEMO_RESERVED_PERCENT,
      });
    }
    if (reservedPairs.size > 0)
      await trx
        .insertInto('site_procedure')
        .values([...reservedPairs.values()])
        .onConflict((oc) => oc.columns(['site_id', 'procedure_id']).doNothing())
        .execute();

    // A training day at Saint-Denis (one counter closed), and a Saturday morning of permit
    // handovers at Bobigny, so the demo shows both kinds of exception.
    const today93 = todayIn('bobigny');
    await trx
      .insertInto('closure')
      .values({
        site_id: 'saint-denis',
        counter_id: counterId('saint-denis', 2),
        date_from: nextOpenDay(addDays(today93, 9), MON_FRI, '93'),
        date_to: nextOpenDay(addDays(today93, 9), MON_FRI, '93'),
        reason: 'Journée de formation des agents (guichet 2 fermé)',
      })
      .execute();
    await trx
      .insertInto('exceptional_opening')
      .values({
        counter_id: counterId('bobigny', 6),
        procedure_id: 'remise-titre',
        date: nextOpenDay(addDays(today93, 3), [6], '93'),
        windows: JSON.stringify([MORNING]),
        slot_minutes: SLOT_MINUTES.get('remise-titre')!,
      })
      .execute();

    // Seine-Saint-Denis draws its scarce procedures every morning at 07:00 (a day's requests
    // form one batch), and its calm ones every 15 minutes of the working day, so that slots
    // nobody waits for open quickly.
    await trx.insertInto('draw_schedule').values({ prefecture_id: MARKER_PREFECTURE, daily_at: '07:00' }).execute();
    await trx
      .insertInto('draw_cadence')
      .values(
        CALM_PROCEDURES.map((procedureId) => ({
          prefecture_id: MARKER_PREFECTURE,
          procedure_id: procedureId,
          every_minutes: 15,
          from_time: '08:00',
          until_time: '18:00',
        })),
      )
      .execute();

    // The embedded registry, its permit expiries spread around today (see fictitious-residents.ts).
    await insertRegistryResidents(trx, fictitiousResidents(today93));

    return {
      prefectures: prefecturesInserted.length,
      sites: SITES.length,
      counters: counters.length,
      procedures: PROCEDURES.length,
      openingRules: RULES.length,
    };
  });
}

/**
 * The first draw of each calm queue, as the scheduler would run it: nobody waits, so the
 * draw opens their slots to first-come booking (app/draws/run-draw.ts).
 */
async function openCalmQueues(db: Db, ctx: AppContext): Promise<number> {
  const allocation = allocationContext(ctx, createDrawStore(db));
  let opened = 0;
  for (const procedureId of CALM_PROCEDURES) {
    const report = await runDrawForTick(allocation, {
      prefectureId: MARKER_PREFECTURE,
      procedureId,
      tick: ctx.clock.now(),
      trigger: 'manual',
    });
    if (report.status === 'drawn') opened += report.openedCount;
  }
  return opened;
}

/** Books demo appointments on open slots (those of the calm queues), spread over every site and procedure. */
async function seedAppointments(db: Db, ctx: AppContext, usedEmails: Set<string>): Promise<number> {
  const now = ctx.clock.now();
  const candidates = await db
    .selectFrom('slot as s')
    .innerJoin('site', 'site.id', 's.site_id')
    .innerJoin('procedure as p', 'p.id', 's.procedure_id')
    .select([
      's.id',
      's.site_id',
      's.procedure_id',
      'site.prefecture_id',
      'p.identity_proof',
      'p.registry_check',
      'p.renewal_window_start_months',
      'p.renewal_window_end_months',
    ])
    .where(
      's.site_id',
      'in',
      SITES.map((s) => s.id),
    )
    .where('s.status', '=', 'open')
    .where('s.released_at', '<=', now)
    .where('s.starts_at', '>', now)
    .where('s.opened_at', 'is not', null)
    .where('s.reserved_for_agents', '=', false) // the agents' reserve stays free for the demo of /agent/on-behalf
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('appointment as a')
            .select('a.id')
            .whereRef('a.slot_id', '=', 's.id')
            .where('a.status', '<>', 'cancelled'),
        ),
      ),
    )
    .orderBy('s.site_id')
    .orderBy('s.procedure_id')
    .orderBy('s.starts_at')
    .orderBy('s.counter_id')
    .execute();

  const groups = new Map<string, typeof candidates>();
  for (const slot of candidates) {
    const key = `${slot.site_id}/${slot.procedure_id}`;
    const list = groups.get(key) ?? [];
    list.push(slot);
    groups.set(key, list);
  }
  const pairs = [...groups.values()];
  if (pairs.length === 0) return 0;

  const taken = new Set<string>();
  const pickResident = residentPicker(now);
  let booked = 0;
  for (let i = 0; i < DEMO_APPOINTMENTS; i++) {
    const list = pairs[i % pairs.length]!;
    const round = Math.floor(i / pairs.length);
    // Earlier days fill first, with gaps, as a real agenda does.
    let index = Math.min(list.length - 1, round * 5 + ((i * 3) % 4));
    while (index < list.length && taken.has(list[index]!.id)) index++;
    const slot = list[index];
    if (!slot) continue;
    taken.add(slot.id);
    const resident = slot.registry_check ? pickResident(slot) : null;
    if (slot.registry_check && !resident) continue;
    const applicant = resident
      ? residentApplicant(i, resident, usedEmails)
      : demoApplicant(i, slot.prefecture_id, slot.procedure_id, slot.identity_proof, usedEmails);
    try {
      const channel = demoChannel(i);
      const emailProof = channel === 'online' ? await demoEmailProof(ctx, applicant.email, i) : undefined;
      await bookSlot(ctx, { slotId: slot.id, applicant, channel, emailProof });
      booked++;
    } catch (e) {
      // Demo data only: a refused booking (slot taken meanwhile, …) is skipped, not fatal.
      if (!isDomainError(e)) throw e;
    }
  }
  return booked;
}

/** Which sites, weekdays and half-days the i-th request accepts: Bobigny receives naturalisations Monday–Thursday, Saint-Denis on Friday mornings. */
function demoPreferences(i: number): PreferencesInput {
  switch (i % 6) {
    case 0:
      return { siteIds: ['bobigny', 'saint-denis'], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] };
    case 1:
      return { siteIds: ['bobigny'], weekdays: [1, 2, 3, 4], halfDays: ['am', 'pm'] };
    case 2:
      return { siteIds: ['bobigny'], weekdays: [2, 4], halfDays: ['pm'] };
    case 3:
      return { siteIds: ['saint-denis'], weekdays: [5], halfDays: ['am'] };
    case 4:
      return { siteIds: ['bobigny', 'saint-denis'], weekdays: [1, 5], halfDays: ['am'] };
    default:
      return { siteIds: ['bobigny'], weekdays: [1, 3], halfDays: ['am', 'pm'] };
  }
}

/** Expiry of the permit or récépissé the i-th applicant declares: expired, expiring soon, later, or none. */
function demoUrgencyDate(i: number, today: string): string | null {
  if (i % 10 === 0) return addDays(today, -12 - i); // class 0: expired
  if (i % 5 === 2) return addDays(today, 5 + i); // class 1: within 30 days
  if (i % 3 === 1) return addDays(today, 120 + 3 * i); // class 2
  return null;
}

/**
 * Requests waiting in the scarce queues of 93, filed over the last two months: naturalisation
 * interviews and first applications (passport), renewals (registry residents in their
 * renewal window, whose permit expiry the registry gives). Declared urgencies wait for an
 * agent's review (/agent/urgency).
 */
async function seedRequests(db: Db, ctx: AppContext, usedEmails: Set<string>): Promise<number> {
  const requests = requestContext(ctx, createRequestStore(db));
  const now = ctx.clock.now();
  const today = localDateOf(now, PREFECTURES.find((p) => p.id === MARKER_PREFECTURE)!.timeZone);
  const pickResident = residentPicker(now);
  const renewal = PROCEDURES.find((p) => p.id === 'renouvellement')!;
  let filed = 0;
  for (let i = 0; i < DEMO_REQUESTS; i++) {
    // Two days apart, at varied hours: each day is a batch of its own.
    const filedAt = new Date(now.getTime() - (DEMO_REQUESTS - i) * 2 * 86_400_000 + ((i * 5) % 9) * 3_600_000);
    const then: RequestContext = { ...requests, clock: { now: () => filedAt } };
    const procedureId = SCARCE_PROCEDURES[i % SCARCE_PROCEDURES.length]!;
    const resident =
      procedureId === 'renouvellement'
        ? pickResident({
            prefecture_id: MARKER_PREFECTURE,
            renewal_window_start_months: renewal.renewalWindow!.startMonths,
            renewal_window_end_months: renewal.renewalWindow!.endMonths,
          })
        : null;
    if (procedureId === 'renouvellement' && !resident) continue;
    const applicant = resident
      ? residentApplicant(100 + i, resident, usedEmails)
      : demoApplicant(100 + i, MARKER_PREFECTURE, procedureId, 'passport', usedEmails);
    const channel = demoChannel(i);
    try {
      const emailProof =
        channel === 'online'
          ? await presetEmailProof(
              then,
              applicant.email,
              'request',
              String(20_000_000 + ((i * 7_919_113) % 79_999_999)),
            )
          : undefined;
      await fileRequest(then, {
        prefectureId: MARKER_PREFECTURE,
        procedureId,
        preferences:
          procedureId === ALLOCATED_PROCEDURE
            ? demoPreferences(i)
            : { siteIds: ['bobigny', 'saint-denis'], weekdays: [1, 2, 3, 4, 5], halfDays: ['am', 'pm'] },
        urgencyDate: resident ? null : demoUrgencyDate(i, today),
        applicant,
        channel,
        emailProof,
      });
      filed++;
    } catch (e) {
      if (!isDomainError(e)) throw e;
    }
  }
  return filed;
}

/** People already waiting in the scarce queues of 93: more than their released slots, as at a real prefecture. */
const WAITING_CROWD: Record<(typeof SCARCE_PROCEDURES)[number], number> = {
  'premiere-demande': 1200,
  renouvellement: 900,
  naturalisation: 300,
};

/**
 * The crowd of the scarce queues, written in bulk (a real prefecture has thousands waiting:
 * filing them one by one would make the first start slow). Filed over the last 90 days, so
 * they form about 90 batches; fictitious, never emailed (their messages go nowhere: no outbox
 * rows are written for them).
 */
async function seedWaitingCrowd(db: Db, ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  let total = 0;
  for (const [procedureId, count] of Object.entries(WAITING_CROWD)) {
    const agdref = procedureId === 'renouvellement';
    const rows = Array.from({ length: count }, (_, i) => {
      const n = `${procedureId.length}${String(i).padStart(6, '0')}`;
      const document = agdref ? `99${n.padStart(8, '0')}` : `DM${n}`;
      return {
        email: `attente.${procedureId}.${i}@demo.creneau.fr`,
        filedAt: new Date(now.getTime() - ((i * 7_919) % (90 * 24)) * 3_600_000 - 3_600_000),
        document,
        identityKey: ctx.hasher.identityKey(agdref ? `agdref:${document}` : `passport:SEN:${document}`),
        tokenHash: ctx.hasher.tokenDigest(`demo-crowd-${procedureId}-${i}`),
      };
    });
    await sql`
      insert into allocation_request (reference, prefecture_id, procedure_id, site_ids, surname, given_names, birth_date, name_key, nationality,
                                      email, email_key, agdref_number, passport_number, identity_key, management_token_hash, channel, filed_at, updated_at)
      select 'F' || upper(substr(md5(t.token_hash), 1, 9)), ${MARKER_PREFECTURE}, ${procedureId}, '{bobigny,saint-denis,le-raincy}', 'Attente', 'Démo',
             '1990-01-01', ${nameBirthDateKey({ surname: 'Attente', givenNames: 'Démo', birthDate: '1990-01-01' })}, 'SEN', t.email, t.email, ${agdref ? sql`t.document` : sql`null`}, ${agdref ? sql`null` : sql`t.document`},
             t.identity_key, t.token_hash, 'online', t.filed_at, t.filed_at
        from unnest(${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.document)}::text[], ${rows.map((r) => r.identityKey)}::text[],
                    ${rows.map((r) => r.tokenHash)}::text[], ${rows.map((r) => r.filedAt)}::timestamptz[])
             as t(email, document, identity_key, token_hash, filed_at)`.execute(db);
    total += count;
  }
  return total;
}

// Demo agents of Seine-Saint-Denis. Their passwords and TOTP secrets are generated when they
// are created and printed once on the console (demoAgentsBanner), never written in the
// source or the README: a demo left on the internet must not open its back-office to whoever
// read the code. Tests give their own known credentials.
export const DEMO_AGENT_PROFILES = [
  {
    email: 'guichet.bobigny@demo.creneau.fr',
    displayName: 'Camille Guichet',
    role: 'counter',
    prefectureId: '93',
    siteIds: ['bobigny'],
  },
  {
    email: 'superviseur.93@demo.creneau.fr',
    displayName: 'Dominique Superviseur',
    role: 'supervisor',
    prefectureId: '93',
    siteIds: [],
  },
  {
    email: 'admin@demo.creneau.fr',
    displayName: 'Alex Administrateur',
    role: 'admin',
    prefectureId: null,
    siteIds: [],
  },
] as const satisfies readonly (Omit<NewAgentInput, 'siteIds' | 'password' | 'totpSecret'> & {
  siteIds: readonly string[];
})[];

export interface DemoAgentCredentials {
  password: string;
  totpSecret: string;
}

/** A demo agent just created, with what it logs in with (shown once). */
export interface CreatedDemoAgent extends DemoAgentCredentials {
  email: string;
  role: string;
  totpUri: string;
}

/**
 * Creates the demo agents that do not exist yet, with the credentials `credentialsOf` gives
 * (tests), otherwise generated; returns the ones created, with their credentials. An address
 * that has an account already is refused by createAgent (AGENT_EMAIL_TAKEN, nothing written)
 * and skipped.
 */
export async function seedDemoAgents(
  agents: Pick<AgentUseCases, 'createAgent'>,
  credentialsOf?: (email: string) => DemoAgentCredentials,
): Promise<CreatedDemoAgent[]> {
  const created: CreatedDemoAgent[] = [];
  for (const demo of DEMO_AGENT_PROFILES) {
    const given = credentialsOf?.(demo.email);
    const agent = await agents.createAgent(null, { ...demo, siteIds: [...demo.siteIds], ...given }).catch((error) => {
      if (isDomainError(error) && error.code === 'AGENT_EMAIL_TAKEN') return null;
      throw error;
    });
    if (!agent) continue;
    created.push({
      email: demo.email,
      role: demo.role,
      password: given?.password ?? agent.password!,
      totpSecret: agent.totpSecret,
      totpUri: agent.totpUri,
    });
  }
  return created;
}

/** What the console shows once when the demo agents are created: how to log in as each. */
export function demoAgentsBanner(created: readonly CreatedDemoAgent[]): string {
  const rule = '='.repeat(78);
  const lines = created.flatMap((a) => [
    `  ${a.email} (${a.role})`,
    `    password: ${a.password}`,
    `    TOTP: ${a.totpUri}`,
  ]);
  return [
    rule,
    '  Demo agents created: log in at /agent. Shown this once — note them now.',
    '  Add each TOTP URI to an authenticator app (or its secret= value by hand).',
    ...lines,
    rule,
  ].join('\n');
}

// A few call-backs waiting in Seine-Saint-Denis' queue (/agent/callbacks), left over the last
// hours. The numbers are in the ranges ARCEP keeps for fiction (06 39 98 xx xx): nobody is called.
const DEMO_CALLBACKS = [
  {
    phone: '0639980012',
    language: 'ar',
    situation: 'Mon récépissé expire dans trois semaines et je ne trouve pas de rendez-vous en ligne.',
    hoursAgo: 26,
  },
  {
    phone: '0639980047',
    language: 'fr',
    situation: "Je n'ai pas d'ordinateur. Je voudrais un rendez-vous pour renouveler ma carte de séjour.",
    hoursAgo: 5,
  },
  {
    phone: '0639980093',
    language: 'uk',
    situation: "Protection temporaire : renouvellement de l'autorisation provisoire de séjour.",
    hoursAgo: 1,
  },
] as const;

async function seedCallbacks(db: Db, now: Date): Promise<void> {
  const callbacks = createCallbackStore(db);
  for (const c of DEMO_CALLBACKS) {
    await callbacks.insertCallbackRequest({
      prefectureId: MARKER_PREFECTURE,
      phone: c.phone,
      language: c.language,
      situation: c.situation,
      createdAt: new Date(now.getTime() - c.hoursAgo * 3_600_000),
    });
  }
}

/**
 * Three past weeks of appointments at Bobigny and Saint-Denis, already handled at the counter
 * (mostly served, some no-shows, a few never marked), so that the agents' statistics show
 * something on a fresh demo. Written directly: the past cannot be booked.
 */
async function seedHistory(db: Db, now: Date): Promise<number> {
  const zone = 'Europe/Paris';
  const today = localDateOf(now, zone);
  const plan = [
    // Passport procedures: no registry number to invent for these fictitious people.
    { site: 'bobigny', counter: counterId('bobigny', 1), procedure: 'premiere-demande', minutes: 30 },
    { site: 'bobigny', counter: counterId('bobigny', 4), procedure: 'etudiant', minutes: 20 },
    { site: 'saint-denis', counter: counterId('saint-denis', 1), procedure: 'premiere-demande', minutes: 30 },
  ];
  let written = 0;
  for (let back = 21; back >= 1; back--) {
    const date = addDays(today, -back);
    if (isoWeekday(date) > 5 || isPublicHoliday(date, MARKER_PREFECTURE)) continue;
    for (const [p, line] of plan.entries()) {
      for (let i = 0; i < 6; i++) {
        const startsAt = DateTime.fromISO(`${date}T09:00`, { zone })
          .plus({ minutes: i * line.minutes })
          .toJSDate();
        const endsAt = new Date(startsAt.getTime() + line.minutes * 60_000);
        const slot = await db
          .insertInto('slot')
          .values({
            site_id: line.site,
            counter_id: line.counter,
            procedure_id: line.procedure,
            starts_at: startsAt,
            ends_at: endsAt,
            local_date: date,
            released_at: new Date(startsAt.getTime() - 30 * 86_400_000),
            // Booked back then like any slot: after a draw left it open.
            opened_at: new Date(startsAt.getTime() - 29 * 86_400_000),
          })
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!slot) continue;
        // About one in eight does not come; one in twenty came but was never marked served.
        const draw = (back * 31 + p * 7 + i * 13) % 40;
        const outcome = draw < 5 ? 'no_show' : draw < 7 ? 'arrived' : 'served';
        const key = `history-${date}-${p}-${i}`;
        await db
          .insertInto('appointment')
          .values({
            reference: `H${date.replaceAll('-', '').slice(2)}-${p}${i}`,
            slot_id: slot.id,
            procedure_id: line.procedure,
            site_id: line.site,
            status: outcome,
            surname: 'Historique',
            given_names: 'Démo',
            birth_date: '1990-01-01',
            name_key: nameBirthDateKey({ surname: 'Historique', givenNames: 'Démo', birthDate: '1990-01-01' }),
            nationality: 'FRA',
            email: null,
            email_key: null,
            // Booked at the counter without email: a number to call (migration 0018).
            phone: `06399${String(1000 + ((back * 31 + p * 7 + i) % 9000)).padStart(5, '0')}`,
            identity_key: key,
            passport_number: `HIST${p}${i}${date.replaceAll('-', '')}`,
            management_token_hash: key,
            channel: 'counter',
            created_at: new Date(startsAt.getTime() - 20 * 86_400_000),
            updated_at: endsAt,
            ...(outcome === 'served' ? { checked_in_at: startsAt, served_at: endsAt, status_changed_at: endsAt } : {}),
            ...(outcome === 'arrived' ? { checked_in_at: startsAt, status_changed_at: startsAt } : {}),
            ...(outcome === 'no_show' ? { no_show_at: endsAt, status_changed_at: endsAt } : {}),
          })
          .execute();
        written++;
      }
    }
  }
  return written;
}

export interface DemoSeedOptions {
  horizonDays: number;
  /** Creates the demo agents too (DEMO_AGENT_PROFILES). */
  agents?: Pick<AgentUseCases, 'createAgent'>;
  /** Their credentials (tests); generated otherwise, and returned once in `createdAgents`. */
  agentCredentials?: (email: string) => DemoAgentCredentials;
}

/** The report, and the demo agents this seed created with their credentials (to print once, never to log). */
export async function seedDemo(
  db: Db,
  ctx: AppContext,
  options: DemoSeedOptions,
): Promise<DemoSeedReport & { createdAgents: CreatedDemoAgent[] }> {
  const seedAgents = async () => (options.agents ? seedDemoAgents(options.agents, options.agentCredentials) : []);
  const catalogue = await seedCatalogue(db, ctx.clock.now());
  if (!catalogue) {
    return {
      createdAgents: await seedAgents(),
      skipped: true,
      prefectures: 0,
      sites: 0,
      counters: 0,
      procedures: 0,
      openingRules: 0,
      slots: 0,
      appointments: 0,
      requests: 0,
      history: 0,
    };
  }
  const reports = await materialiseSlots({ schedules: createScheduleStore(db), clock: ctx.clock }, options.horizonDays);
  const slots = reports.reduce((sum, r) => sum + r.inserted, 0);
  await openCalmQueues(db, ctx);
  const usedEmails = new Set<string>();
  const appointments = await seedAppointments(db, ctx, usedEmails);
  const requests = (await seedRequests(db, ctx, usedEmails)) + (await seedWaitingCrowd(db, ctx));
  await seedCallbacks(db, ctx.clock.now());
  const history = await seedHistory(db, ctx.clock.now());
  // The bookings and requests above wrote their confirmations to the outbox, like real ones.
  await cancelAllPendingMessages(db, ctx.clock.now());
  return { createdAgents: await seedAgents(), skipped: false, ...catalogue, slots, appointments, requests, history };
}
