// Fictitious residents for the embedded registry: the demo seed and the tests use them.
// Deterministic (derived from the index and a reference date, no randomness), and made up:
// the names are common ones, the numbers belong to nobody.
//
// Permit expiries are spread around the reference date so that, under the default renewal
// window (4 to 2 months before expiry), every situation exists on that date:
//   i % 10 ∈ {0,1,2,3} in_renewal_window  expiry = ref + 2 months + 5..54 days
//   i % 10 ∈ {4,5,6,9} too_early          expiry = ref + 4 months + 10..699 days
//   i % 10 = 7         too_late           expiry = ref + 5..49 days (still valid, window closed)
//   i % 10 = 8         expired            expiry = ref − 1..199 days
// The margins (≥ 5 days inside each bound) keep the situations true one day either side of
// the reference date, whatever the time zone of the prefecture.
// Every 7th number starts with 0: it is printed with 9 digits on older permits.
import { addDays, addMonths } from '../../domain/calendar-date.ts';
import type { RegistryRecord } from '../../ports/registry.ts';

export type PermitSituation = 'in_renewal_window' | 'too_early' | 'too_late' | 'expired';

export interface FictitiousResident extends RegistryRecord {
  /** Where the permit stands on the reference date, under the default 4→2 renewal window. */
  situation: PermitSituation;
  /** The demo prefecture the resident lives under: '973' (Guyane) or '93' (Seine-Saint-Denis). */
  homePrefectureId: '93' | '973';
}

export const FICTITIOUS_RESIDENT_COUNT = 200;

interface ResidentGroup {
  nationality: string;
  guyane?: boolean;
  surnames: string[];
  givenNames: string[];
}

// 21 groups: coprime with 10, so each nationality gets every permit situation.
const GROUPS: ResidentGroup[] = [
  {
    nationality: 'SEN',
    surnames: ['Diallo Ndiaye', 'Sarr', 'Faye', 'Gueye', 'Mbaye'],
    givenNames: ['Aminata', 'Ousmane', 'Fatou', 'Ibrahima', 'Coumba'],
  },
  {
    nationality: 'DZA',
    surnames: ['Belkacem', 'Ouali', 'Zerrouki', 'Hamidi', 'Cherif'],
    givenNames: ['Sofiane', 'Lila', 'Nabil', 'Samira', 'Rachid'],
  },
  {
    nationality: 'MAR',
    surnames: ['El Idrissi', 'Berrada', 'Chraibi', 'Ouazzani', 'Lahlou'],
    givenNames: ['Hamza', 'Meryem', 'Omar', 'Kenza', 'Anas'],
  },
  {
    nationality: 'TUN',
    surnames: ['Ben Salah', 'Mejri', 'Chaabane', 'Hammami', 'Ayari'],
    givenNames: ['Walid', 'Hela', 'Skander', 'Amira', 'Bilel'],
  },
  {
    nationality: 'MLI',
    surnames: ['Keïta', 'Sissoko', 'Dembélé', 'Konaté', 'Sangaré'],
    givenNames: ['Adama', 'Kadidia', 'Seydou', 'Oumou', 'Boubacar'],
  },
  {
    nationality: 'CIV',
    surnames: ['N’Guessan', 'Ouattara', 'Kouamé', 'Aka', 'Gbagbo-Lago'],
    givenNames: ['Jean-Marc', 'Akissi', 'Didier', 'Marie-Laure', 'Franck'],
  },
  {
    nationality: 'CMR',
    surnames: ['Ngo Biyong', 'Tchoumi', 'Essomba', 'Abena', 'Manga'],
    givenNames: ['Hervé', 'Solange', 'Landry', 'Brigitte', 'Rodrigue'],
  },
  {
    nationality: 'COD',
    surnames: ['Mukendi', 'Kabongo', 'Lukusa', 'Nzuzi', 'Mwamba'],
    givenNames: ['Trésor', 'Gloire', 'Jonathan', 'Merveille', 'Dieudonné'],
  },
  {
    nationality: 'CHN',
    surnames: ['Liu', 'Huang', 'Zhao', 'Wu', 'Zhou'],
    givenNames: ['Hao', 'Mei', 'Jun', 'Lian', 'Tao'],
  },
  {
    nationality: 'VNM',
    surnames: ['Hoang', 'Vu', 'Dang', 'Bui', 'Do'],
    givenNames: ['Thi Mai', 'Quoc Bao', 'Ngoc Anh', 'Minh Tuan', 'Thanh Huong'],
  },
  {
    nationality: 'IND',
    surnames: ['Nair', 'Menon', 'Gupta', 'Krishnan', 'Banerjee'],
    givenNames: ['Aditya', 'Meera', 'Vikram', 'Lakshmi', 'Siddharth'],
  },
  {
    nationality: 'LKA',
    surnames: ['Jayasuriya', 'Wickramasinghe', 'Balasubramaniam', 'Silva', 'Gunawardena'],
    givenNames: ['Chaminda', 'Dilani', 'Nuwan', 'Ishara', 'Ruwan'],
  },
  {
    nationality: 'TUR',
    surnames: ['Yıldız', 'Çelik', 'Öztürk', 'Aydın', 'Arslan'],
    givenNames: ['Burak', 'Ayşe', 'Can', 'Gül', 'Serkan'],
  },
  {
    nationality: 'UKR',
    surnames: ['Melnyk', 'Savchenko', 'Kravchenko', 'Oliynyk', 'Lysenko'],
    givenNames: ['Oksana', 'Taras', 'Yuliia', 'Bohdan', 'Nataliia'],
  },
  {
    nationality: 'AFG',
    surnames: ['Hakimi', 'Sultani', 'Wardak', 'Popal', 'Haidari'],
    givenNames: ['Naveed', 'Shabnam', 'Hamid', 'Fatima', 'Sohail'],
  },
  {
    nationality: 'BGD',
    surnames: ['Chowdhury', 'Uddin', 'Begum', 'Sarker', 'Mia'],
    givenNames: ['Arif', 'Rupa', 'Sabbir', 'Tahmina', 'Jamal'],
  },
  {
    nationality: 'COL',
    surnames: ['Gómez Restrepo', 'Ospina', 'Quintero', 'Cárdenas', 'Muñoz'],
    givenNames: ['Juliana', 'Sebastián', 'Daniela', 'Felipe', 'Lucía'],
  },
  {
    nationality: 'HTI',
    guyane: true,
    surnames: ['Jean-Louis', 'Étienne', 'Desrosiers', 'Augustin', 'Toussaint'],
    givenNames: ['Jocelyne', 'Wilner', 'Guerline', 'Jean-Robert', 'Marjorie'],
  },
  {
    nationality: 'BRA',
    guyane: true,
    surnames: ['da Silva Santos', 'Costa', 'Ferreira', 'Almeida', 'Ribeiro'],
    givenNames: ['Thiago', 'Juliana', 'Lucas', 'Fernanda', 'Gabriel'],
  },
  {
    nationality: 'SUR',
    guyane: true,
    surnames: ['Wijngaarde', 'Sewdien', 'Aloema', 'Tjon A Fong', 'Karsters'],
    givenNames: ['Romano', 'Sheila', 'Dwight', 'Melissa', 'Errol'],
  },
  {
    nationality: 'GUY',
    guyane: true,
    surnames: ['Ramkissoon', 'Da Costa', 'Mohamed', 'Fraser', 'Seepersaud'],
    givenNames: ['Devon', 'Alicia', 'Navin', 'Rochelle', 'Troy'],
  },
];

const PERMIT_TYPES = [
  'carte de séjour temporaire',
  'carte de séjour pluriannuelle',
  'carte de résident',
  'carte de séjour temporaire « étudiant »',
  'carte de séjour pluriannuelle « passeport talent »',
];

/** Where issued: Seine-Saint-Denis, Paris or Val-d'Oise in mainland France; Guyane overseas. */
const MAINLAND_PREFIXES = ['93', '75', '95'];
const GUYANE_PREFIX = '97';

function situationOf(i: number): PermitSituation {
  const r = i % 10;
  if (r <= 3) return 'in_renewal_window';
  if (r === 7) return 'too_late';
  if (r === 8) return 'expired';
  return 'too_early';
}

function expiryOf(i: number, situation: PermitSituation, referenceDate: string): string {
  switch (situation) {
    case 'in_renewal_window':
      return addDays(addMonths(referenceDate, 2), 5 + ((i * 7) % 50));
    case 'too_early':
      return addDays(addMonths(referenceDate, 4), 10 + ((i * 37) % 690));
    case 'too_late':
      return addDays(referenceDate, 5 + ((i * 11) % 45));
    case 'expired':
      return addDays(referenceDate, -(1 + ((i * 23) % 199)));
  }
}

/** The i-th resident (0 ≤ i), the same for the same reference date. */
export function fictitiousResident(i: number, referenceDate: string): FictitiousResident {
  const group = GROUPS[i % GROUPS.length]!;
  const round = Math.floor(i / GROUPS.length);
  const surname = group.surnames[(round + i) % group.surnames.length]!;
  const givenNames = group.givenNames[(round * 2 + i) % group.givenNames.length]!;
  const birthDate = `${1950 + ((i * 13) % 55)}-${String(((i * 5) % 12) + 1).padStart(2, '0')}-${String(((i * 11) % 28) + 1).padStart(2, '0')}`;
  const prefix = group.guyane ? GUYANE_PREFIX : MAINLAND_PREFIXES[i % MAINLAND_PREFIXES.length]!;
  // 104 729 is prime (coprime with 10^8): distinct indexes give distinct serials.
  const serial = String((i * 104_729 + 2_718_281) % 100_000_000).padStart(8, '0');
  const agdrefNumber = i % 7 === 6 ? `0${prefix[1]}${serial}` : `${prefix}${serial}`;
  const permitType =
    group.nationality === 'DZA' ? 'certificat de résidence algérien' : PERMIT_TYPES[(i * 3) % PERMIT_TYPES.length]!;
  const situation = situationOf(i);
  return {
    agdrefNumber,
    surname,
    givenNames,
    birthDate,
    nationality: group.nationality,
    permitType,
    permitExpiresOn: expiryOf(i, situation, referenceDate),
    situation,
    homePrefectureId: group.guyane ? '973' : '93',
  };
}

/** FICTITIOUS_RESIDENT_COUNT residents, permit expiries spread around `referenceDate` (YYYY-MM-DD). */
export function fictitiousResidents(referenceDate: string, count = FICTITIOUS_RESIDENT_COUNT): FictitiousResident[] {
  return Array.from({ length: count }, (_, i) => fictitiousResident(i, referenceDate));
}
