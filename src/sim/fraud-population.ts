// The fraud simulation's population (docs/SIMULATOR.md, "The fraud simulation"): genuine
// people and reseller fleets filing requests at one prefecture, with every fact the fraud
// signals (domain/fraud-signals.ts) count — the network a request is filed from, the email
// address, the phone number, the device cookie, the names and birth date — and the events
// of each identity document afterwards: withdrawals and cancellations, offers left to expire,
// no-shows, appointments refused at a counter. Pure and seeded: the same seed gives the same
// filings. The history (180 days, the longest window of a signal) is generated before the
// measured days so that every count is in its steady state when measuring starts.
import type { Random } from './random.ts';

export const DAY_HOURS = 24;

export const GENUINE_SEGMENTS = ['alone', 'family', 'association', 'sharedPlace', 'agent'] as const;
export type GenuineSegment = (typeof GENUINE_SEGMENTS)[number];

/** One request as filed. Times are hours since the start of the history. */
export interface Filing {
  id: number;
  at: number;
  /** When the request stops being live (or its appointment active): withdrawn, its appointment held or missed, dropped. */
  closedAt: number;
  /** When an offer was confirmed: the appointment, created then, carries the request's email, phone and device. */
  bookedAt: number | null;
  /** The identity document (one per person; a fleet's made-up or rented one). */
  identity: number;
  /** 'genuine' or the fleet strategy's name. */
  population: string;
  /** Genuine people only: how they file. */
  segment: GenuineSegment | null;
  /** The client address (IPv4 or IPv6); null when an agent filed it. */
  ip: string | null;
  email: string | null;
  phone: string | null;
  /** The first-party cookie's value; null when an agent filed it or the browser drops cookies. */
  device: string | null;
  /** Names and birth date, normalised: equal for namesakes. */
  names: string;
}

export type IdentityEventKind = 'churn' | 'ignored_offer' | 'no_show' | 'identity_refused';

/** Something that happened to a request after its filing, counted against its identity. */
export interface IdentityEvent {
  at: number;
  kind: IdentityEventKind;
  filing: number;
}

export interface Range {
  min: number;
  max: number;
}

/** What happens to a request after it is filed (genuine people, and fleets on rented identities). */
export interface Journey {
  /** Days from filing to the first offer (uniform). */
  waitDays: Range;
  /** Per offer: left to expire unanswered, declined (the next offer comes 2–10 days later). */
  offerIgnoreShare: number;
  offerDeclineShare: number;
  /** Share of requests withdrawn or appointments cancelled before the day… */
  cancelShare: number;
  /** …and of those, the share filed again 1–14 days later (a fleet: within hours). */
  refileAfterCancelShare: number;
  noShowShare: number;
  refileAfterNoShowShare: number;
  /** Appointments refused at the counter although the convoked person came (a clerical error). */
  wrongRefusalShare: number;
}

export interface GenuineParameters {
  /** People filing a year ÷ appointments a year (the simulator's demand ratio). */
  demandRatio: number;
  /** How people file, shares of people: alone (from home or a phone), with family, through a
   *  legal-aid association, from a shared place (France Services, library, campus), at a counter. */
  segments: Record<GenuineSegment, number>;
  /** Weights of family sizes 2, 3, 4, 5, 6 (one parent files for all, in one sitting). */
  familySizeWeights: readonly number[];
  /** Of those filing from their own connection: from a mobile network. */
  mobileShare: number;
  /** Of mobile filings: over IPv4, behind the operator's CGNAT (the rest over IPv6, one /64 per phone). */
  mobileIpv4Share: number;
  /** Mobile operators: share of subscribers and the IPv4 /24s their CGNAT shows this prefecture's people from. */
  operators: readonly { share: number; networks: number }[];
  /** Home broadband: share over IPv4 (the rest IPv6, one /64 per home) and the /24s the homes of the area share. */
  homeIpv4Share: number;
  homeNetworks: number;
  /** Email: shares at a large public provider (not counted), at a public provider the list
   *  does not know (foreign providers), at an institution (university, employer), at a personal domain. */
  email: { listedPublic: number; unlistedPublic: number; institutional: number; personal: number };
  unlistedPublicDomains: readonly string[];
  institutionalDomains: number;
  /** Zipf exponent of how people spread over the unlisted providers, institutions, associations. */
  zipfExponent: number;
  /** Share of people giving no phone number. */
  noPhoneShare: number;
  associations: {
    offices: number;
    /** Days a week each office files for its visitors (its sessions). */
    sessionsPerWeek: number;
    /** Shares of a visitor's filings made on the office's computer, with the office's phone
     *  number, with an address at the office's domain (otherwise the visitor's own). */
    officeDeviceShare: number;
    officePhoneShare: number;
    officeEmailShare: number;
  };
  sharedPlaces: {
    places: number;
    /** Share of filings on a public computer that keeps its cookies (the rest: the person's own phone on the Wi-Fi). */
    publicComputerShare: number;
  };
  /** Share of people whose names and birth date are common (a frequent name, born "1 January"):
   *  they draw them from `commonNames` combinations, so two of them may be namesakes. */
  commonNameShare: number;
  commonNames: number;
  journey: Journey;
}

export interface FleetStrategy {
  name: string;
  /** In words, for the report. */
  description: string;
  requestsPerDay: number;
  /** 'madeUp': invented passport identities (no registry to refuse them), each filed once;
   *  'rented': customers' real documents (they come to the counter themselves). */
  identities: 'madeUp' | 'rented';
  /** Datacenter /24s it files from; 0 = residential proxies (a new /24 for every filing). */
  datacenterNetworks: number;
  /** 'ownDomain': a catch-all domain of its own; 'public': one address per identity at a large provider. */
  email: 'ownDomain' | 'public';
  /** VoIP numbers it gives (spread evenly); 0 = none; -1 = the customer's own number. */
  phones: number;
  /** Browser profiles that keep their cookie; 0 = a headless browser dropping cookies (the device signal sees nothing). */
  devices: number;
  /** Made-up identities: the name-and-birth-date combinations it reuses (0 = a fresh one each). */
  namePool: number;
  /** Made-up identities: share of won appointments sold to a customer, refused at the counter
   *  (not the convoked person); the fleet lets the other offers expire, three times, then drops the request. */
  sellShare: number;
  /** Rented identities: what happens to the requests (the customer comes to the counter). */
  journey: Journey;
}

export interface FraudPopulationParameters {
  /** Appointments a year at the prefecture (the simulator's --scale). */
  appointmentsPerYear: number;
  /** Days of history before the measured days (the longest window, 180 days). */
  historyDays: number;
  measuredDays: number;
  genuine: GenuineParameters;
  fleets: readonly FleetStrategy[];
}

const GENUINE_JOURNEY: Journey = {
  waitDays: { min: 30, max: 130 },
  offerIgnoreShare: 0.05,
  offerDeclineShare: 0.05,
  cancelShare: 0.08,
  refileAfterCancelShare: 0.7,
  noShowShare: 0.125,
  refileAfterNoShowShare: 0.8,
  wrongRefusalShare: 0.0001,
};

const FLEET_RENTED_JOURNEY: Journey = {
  ...GENUINE_JOURNEY,
  // Passing slots along: cancel and file again at once, hoping for a better slot.
  cancelShare: 0.3,
  refileAfterCancelShare: 1,
  // It files for customers who cannot come on every date: those offers expire.
  offerIgnoreShare: 0.2,
  noShowShare: 0.05,
};

export function defaultFraudPopulation(appointmentsPerYear = 150_000, measuredDays = 30): FraudPopulationParameters {
  return {
    appointmentsPerYear,
    historyDays: 180,
    measuredDays,
    genuine: {
      demandRatio: 1.3,
      segments: { alone: 0.55, family: 0.25, association: 0.1, sharedPlace: 0.05, agent: 0.05 },
      familySizeWeights: [0.4, 0.25, 0.2, 0.1, 0.05],
      mobileShare: 0.5,
      mobileIpv4Share: 0.5,
      operators: [
        { share: 0.4, networks: 4 },
        { share: 0.25, networks: 4 },
        { share: 0.2, networks: 4 },
        { share: 0.15, networks: 4 },
      ],
      homeIpv4Share: 0.6,
      homeNetworks: 3_000,
      email: { listedPublic: 0.84, unlistedPublic: 0.06, institutional: 0.06, personal: 0.04 },
      unlistedPublicDomains: [
        'yahoo.co.uk',
        'hotmail.it',
        'qq.com',
        '163.com',
        'web.de',
        'libero.it',
        'ukr.net',
        'rambler.ru',
        'menara.ma',
        'yahoo.es',
        'hotmail.be',
        'rocketmail.com',
      ],
      institutionalDomains: 60,
      zipfExponent: 1,
      noPhoneShare: 0.05,
      associations: {
        offices: 40,
        sessionsPerWeek: 2,
        officeDeviceShare: 0.7,
        officePhoneShare: 0.5,
        officeEmailShare: 0.3,
      },
      sharedPlaces: { places: 30, publicComputerShare: 0.5 },
      commonNameShare: 0.01,
      commonNames: 2_000,
      journey: GENUINE_JOURNEY,
    },
    fleets: [
      {
        name: 'naive',
        description:
          'made-up identities, one datacenter /24, its own catch-all domain, one VoIP number, one browser keeping its cookie, 50 names reused',
        requestsPerDay: 20,
        identities: 'madeUp',
        datacenterNetworks: 1,
        email: 'ownDomain',
        phones: 1,
        devices: 1,
        namePool: 50,
        sellShare: 0.5,
        journey: FLEET_RENTED_JOURNEY,
      },
      {
        name: 'rotating',
        description:
          'made-up identities, 10 datacenter /24s, its own catch-all domain, 20 VoIP numbers, cookies dropped, fresh names',
        requestsPerDay: 20,
        identities: 'madeUp',
        datacenterNetworks: 10,
        email: 'ownDomain',
        phones: 20,
        devices: 0,
        namePool: 0,
        sellShare: 0.5,
        journey: FLEET_RENTED_JOURNEY,
      },
      {
        name: 'madeUpOwnDomain',
        description:
          'made-up identities, residential proxies, its own catch-all domain, no phone, cookies dropped, fresh names',
        requestsPerDay: 20,
        identities: 'madeUp',
        datacenterNetworks: 0,
        email: 'ownDomain',
        phones: 0,
        devices: 0,
        namePool: 0,
        sellShare: 0.5,
        journey: FLEET_RENTED_JOURNEY,
      },
      {
        name: 'madeUpCareful',
        description:
          'made-up identities, residential proxies, one public-provider address each, no phone, cookies dropped, fresh names',
        requestsPerDay: 20,
        identities: 'madeUp',
        datacenterNetworks: 0,
        email: 'public',
        phones: 0,
        devices: 0,
        namePool: 0,
        sellShare: 0.5,
        journey: FLEET_RENTED_JOURNEY,
      },
      {
        name: 'rentedOwnDomain',
        description:
          "customers' real identities, residential proxies, its own catch-all domain, 50 VoIP numbers, cookies dropped, churns",
        requestsPerDay: 20,
        identities: 'rented',
        datacenterNetworks: 0,
        email: 'ownDomain',
        phones: 50,
        devices: 0,
        namePool: 0,
        sellShare: 0,
        journey: FLEET_RENTED_JOURNEY,
      },
      {
        name: 'rentedCareful',
        description:
          "customers' real identities, residential proxies, one public-provider address each, the customer's phone, cookies dropped, no churn",
        requestsPerDay: 20,
        identities: 'rented',
        datacenterNetworks: 0,
        email: 'public',
        phones: -1,
        devices: 0,
        namePool: 0,
        sellShare: 0,
        journey: { ...GENUINE_JOURNEY, noShowShare: 0.05 },
      },
    ],
  };
}

export interface FraudPopulation {
  /** Every request, by filing time. */
  filings: Filing[];
  /** By time. */
  events: IdentityEvent[];
  /** The measured days: [measureFrom, measureTo) in hours. */
  measureFrom: number;
  measureTo: number;
}

/** Draws an index with probability ∝ 1 / (rank + 1)^s. */
class Zipf {
  private readonly cumulative: number[] = [];
  constructor(size: number, exponent: number) {
    let sum = 0;
    for (let i = 0; i < size; i++) {
      sum += 1 / (i + 1) ** exponent;
      this.cumulative.push(sum);
    }
    for (let i = 0; i < size; i++) this.cumulative[i]! /= sum;
  }
  draw(random: Random): number {
    return pick(this.cumulative, random.float());
  }
}

/** Index of the first cumulative share above u. */
function pick(cumulative: readonly number[], u: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (cumulative[mid]! > u) high = mid;
    else low = mid + 1;
  }
  return low;
}

function cumulate(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => {
    sum += w / total;
    return sum;
  });
}

/** Addresses for labelled networks: one IPv4 /24 or one IPv6 /64 per label. */
class Networks {
  private readonly v4 = new Map<string, number>();
  private v6 = 0;
  ipv4(label: string, random: Random): string {
    let index = this.v4.get(label);
    if (index === undefined) {
      index = this.v4.size;
      this.v4.set(label, index);
    }
    return `${11 + ((index >> 16) % 200)}.${(index >> 8) & 255}.${index & 255}.${random.int(1, 254)}`;
  }
  /** A /64 of its own. */
  ipv6(random: Random): string {
    const index = this.v6++;
    return `2001:db8:${(index >> 16).toString(16)}:${(index & 0xffff).toString(16)}::${random.int(1, 0xffff).toString(16)}`;
  }
}

interface Contact {
  ip: string | null;
  email: string | null;
  phone: string | null;
  device: string | null;
}

/** Files one request (and the next ones of its identity) from `at`: the base facts, the contact
 *  at each filing, what happens next; `madeUp` for a fleet's invented identity. */
type FileFunction = (
  random: Random,
  at: number,
  base: Omit<Filing, 'id' | 'at' | 'closedAt' | 'bookedAt' | keyof Contact>,
  contact: (at: number) => Contact,
  journey: Journey,
  madeUp: { sellShare: number } | null,
) => void;

/** Generates the filings and events of every population, seeded by `streams` (one per population). */
export function generateFraudPopulation(parameters: FraudPopulationParameters, streams: Random[]): FraudPopulation {
  const end = (parameters.historyDays + parameters.measuredDays) * DAY_HOURS;
  const filings: Filing[] = [];
  const events: IdentityEvent[] = [];
  const networks = new Networks();
  let identities = 0;
  const newIdentity = () => identities++;

  /** Files a request and plays its journey: events, and the filings again after a cancellation or a no-show. */
  const file: FileFunction = (random, at, base, contact, journey, madeUp) => {
    let t = at;
    for (let filed = 0; t < end && filed < 20; filed++) {
      const filing: Filing = { id: filings.length, at: t, closedAt: end, bookedAt: null, ...base, ...contact(t) };
      filings.push(filing);
      const event = (kind: IdentityEventKind, when: number) => {
        if (when < end) events.push({ at: when, kind, filing: filing.id });
      };
      const waited = t + random.between(journey.waitDays.min, journey.waitDays.max) * DAY_HOURS;
      if (random.chance(journey.cancelShare)) {
        const cancelledAt = random.between(t, waited);
        filing.closedAt = cancelledAt;
        event('churn', cancelledAt);
        if (!random.chance(journey.refileAfterCancelShare)) return;
        t =
          cancelledAt +
          (madeUp || base.population !== 'genuine' ? random.between(0.5, 12) : random.between(1, 14) * DAY_HOURS);
        continue;
      }
      let offer = waited;
      if (madeUp) {
        // A made-up identity wins offers it has no customer for: it lets them expire, three
        // times, then drops the request; a sold one is refused at the counter.
        for (let ignored = 0; ignored < 3; ignored++) {
          if (random.chance(madeUp.sellShare)) {
            const appointment = offer + random.between(2, 14) * DAY_HOURS;
            filing.bookedAt = offer;
            filing.closedAt = appointment;
            event('identity_refused', appointment);
            return;
          }
          event('ignored_offer', offer + 48);
          offer += random.between(2, 10) * DAY_HOURS;
        }
        filing.closedAt = offer;
        return;
      }
      for (;;) {
        if (random.chance(journey.offerIgnoreShare)) event('ignored_offer', offer + 48);
        else if (!random.chance(journey.offerDeclineShare)) break;
        offer += random.between(2, 10) * DAY_HOURS;
      }
      const appointment = offer + random.between(2, 14) * DAY_HOURS;
      filing.bookedAt = offer;
      filing.closedAt = appointment;
      if (random.chance(journey.noShowShare)) {
        event('no_show', appointment);
        if (!random.chance(journey.refileAfterNoShowShare)) return;
        t = appointment + random.between(1, 14) * DAY_HOURS;
        continue;
      }
      if (random.chance(journey.wrongRefusalShare)) event('identity_refused', appointment);
      return;
    }
  };

  const builder: Builder = { end, networks, newIdentity, file };
  generateGenuine(parameters, streams[0]!, builder);
  parameters.fleets.forEach((fleet, i) => {
    generateFleet(fleet, streams[i + 1]!, builder);
  });

  filings.sort((a, b) => a.at - b.at || a.id - b.id);
  // Ids follow the filing order, so that a filing's id is its index.
  const renumber = new Map(filings.map((f, i) => [f.id, i]));
  for (const f of filings) f.id = renumber.get(f.id)!;
  for (const e of events) e.filing = renumber.get(e.filing)!;
  events.sort((a, b) => a.at - b.at || a.filing - b.filing);
  return {
    filings,
    events,
    measureFrom: parameters.historyDays * DAY_HOURS,
    measureTo: end,
  };
}

/** A time of day people file at: 07:00 to 23:00, uniform. */
const wakingHour = (random: Random) => random.between(7, 23);

/** What the populations' generators share: the end of the run, the addresses, the identities, the filing. */
interface Builder {
  end: number;
  networks: Networks;
  newIdentity: () => number;
  file: FileFunction;
}

function generateGenuine(parameters: FraudPopulationParameters, random: Random, builder: Builder): void {
  const { end, networks, newIdentity, file } = builder;
  const g = parameters.genuine;
  const peoplePerDay = (parameters.appointmentsPerYear * g.demandRatio) / 365;
  const segments = cumulate(GENUINE_SEGMENTS.map((s) => g.segments[s]));
  const familySizes = cumulate(g.familySizeWeights);
  const operators = cumulate(g.operators.map((o) => o.share));
  const emailKinds = cumulate([g.email.listedPublic, g.email.unlistedPublic, g.email.institutional, g.email.personal]);
  const unlisted = new Zipf(g.unlistedPublicDomains.length, g.zipfExponent);
  const institutions = new Zipf(g.institutionalDomains, g.zipfExponent);
  const offices = new Zipf(g.associations.offices, g.zipfExponent);
  const places = new Zipf(g.sharedPlaces.places, 0);

  const names = (identity: number) =>
    random.chance(g.commonNameShare) ? `common-${random.int(0, g.commonNames - 1)}` : `person-${identity}`;
  const ownEmail = (owner: string) => {
    const kind = pick(emailKinds, random.float());
    if (kind === 0) return `${owner}@gmail.com`;
    if (kind === 1) return `${owner}@${g.unlistedPublicDomains[unlisted.draw(random)]}`;
    if (kind === 2) return `${owner}@institution-${institutions.draw(random)}.example`;
    return `${owner}@${owner}.example`;
  };
  const ownPhone = (owner: string) => (random.chance(g.noPhoneShare) ? null : `phone-${owner}`);
  /** A connection of one's own, at one sitting. */
  const ownIp = (home: number) => {
    if (random.chance(g.mobileShare)) {
      if (!random.chance(g.mobileIpv4Share)) return networks.ipv6(random);
      const operator = pick(operators, random.float());
      return networks.ipv4(`cgnat-${operator}-${random.int(0, g.operators[operator]!.networks - 1)}`, random);
    }
    return random.chance(g.homeIpv4Share) ? networks.ipv4(`home-${home}`, random) : networks.ipv6(random);
  };

  // People arrive at a steady rate; each sitting of a family or at an office is one arrival per person.
  const count = Math.round(peoplePerDay * (end / DAY_HOURS));
  let done = 0;
  while (done < count) {
    const day = Math.floor(random.float() * (end / DAY_HOURS));
    const at = day * DAY_HOURS + wakingHour(random);
    const segment = GENUINE_SEGMENTS[pick(segments, random.float())]!;
    if (segment === 'family') {
      const size = 2 + pick(familySizes, random.float());
      const owner = `family-${newIdentity()}`;
      const email = ownEmail(owner);
      const phone = ownPhone(owner);
      const home = random.int(0, g.homeNetworks - 1);
      for (let i = 0; i < size; i++) {
        const identity = newIdentity();
        // One parent files for all at one sitting, from one device; a refiling later, alone, from the same.
        file(
          random,
          at + i * 0.1,
          { identity, population: 'genuine', segment, names: names(identity) },
          () => ({ ip: ownIp(home), email, phone, device: `device-${owner}` }),
          g.journey,
          null,
        );
      }
      done += size;
      continue;
    }
    const identity = newIdentity();
    const owner = `person-${identity}`;
    const email = ownEmail(owner);
    const phone = ownPhone(owner);
    const base = { identity, population: 'genuine', segment, names: names(identity) };
    if (segment === 'alone') {
      const home = random.int(0, g.homeNetworks - 1);
      file(random, at, base, () => ({ ip: ownIp(home), email, phone, device: `device-${owner}` }), g.journey, null);
    } else if (segment === 'agent') {
      file(random, at, base, () => ({ ip: null, email, phone, device: null }), g.journey, null);
    } else if (segment === 'sharedPlace') {
      const place = places.draw(random);
      const onPublicComputer = random.chance(g.sharedPlaces.publicComputerShare);
      file(
        random,
        at,
        base,
        () => ({
          ip: networks.ipv4(`place-${place}`, random),
          email,
          phone,
          device: onPublicComputer ? `device-place-${place}` : `device-${owner}`,
        }),
        g.journey,
        null,
      );
    } else {
      const a = g.associations;
      const office = offices.draw(random);
      const officeEmail = random.chance(a.officeEmailShare);
      const officePhone = random.chance(a.officePhoneShare);
      const officeDevice = random.chance(a.officeDeviceShare);
      // The office files on its session days (office k: days k, k + 7/n, … of the week), 09:00–17:00.
      const sessionDays = Array.from(
        { length: a.sessionsPerWeek },
        (_, i) => Math.floor(office + (i * 7) / a.sessionsPerWeek) % 7,
      );
      const nextSession = (t: number) => {
        let d = Math.ceil(t / DAY_HOURS);
        while (!sessionDays.includes(d % 7)) d++;
        return d * DAY_HOURS + random.between(9, 17);
      };
      file(
        random,
        nextSession(at),
        base,
        () => ({
          ip: networks.ipv4(`office-${office}`, random),
          email: officeEmail ? `${owner}@association-${office}.example` : email,
          phone: officePhone ? `phone-association-${office}` : phone,
          device: officeDevice ? `device-association-${office}` : `device-${owner}`,
        }),
        g.journey,
        null,
      );
    }
    done++;
  }
}

function generateFleet(fleet: FleetStrategy, random: Random, builder: Builder): void {
  const { end, networks, newIdentity, file } = builder;
  const count = Math.round(fleet.requestsPerDay * (end / DAY_HOURS));
  let n = 0;
  for (let k = 0; k < count; k++) {
    // Bots file at any hour.
    const at = random.float() * end;
    const identity = newIdentity();
    const names =
      fleet.namePool > 0 ? `${fleet.name}-name-${random.int(0, fleet.namePool - 1)}` : `${fleet.name}-${identity}`;
    const contact = (): Contact => {
      n++;
      return {
        ip:
          fleet.datacenterNetworks > 0
            ? networks.ipv4(`${fleet.name}-dc-${n % fleet.datacenterNetworks}`, random)
            : networks.ipv4(`${fleet.name}-proxy-${n}`, random),
        email:
          fleet.email === 'ownDomain' ? `x${identity}@${fleet.name}.example` : `x${identity}.${fleet.name}@gmail.com`,
        phone:
          fleet.phones > 0 ? `${fleet.name}-voip-${n % fleet.phones}` : fleet.phones < 0 ? `phone-${identity}` : null,
        device: fleet.devices > 0 ? `${fleet.name}-browser-${n % fleet.devices}` : null,
      };
    };
    file(
      random,
      at,
      { identity, population: fleet.name, segment: null, names },
      contact,
      fleet.journey,
      fleet.identities === 'madeUp' ? { sellShare: fleet.sellShare } : null,
    );
  }
}

type Variant = { description: string; apply: (p: FraudPopulationParameters) => FraudPopulationParameters };

/** A variant changing the genuine people's parameters. */
const genuine =
  (change: (g: GenuineParameters) => Partial<GenuineParameters>): Variant['apply'] =>
  (p) => ({ ...p, genuine: { ...p.genuine, ...change(p.genuine) } });

/**
 * What-ifs on the population's assumptions (`npm run bench:fraud -- --variant NAME`): the
 * sensitivity table of docs/SIMULATOR.md. Each changes one assumption of the defaults.
 */
export const FRAUD_POPULATION_VARIANTS: Record<string, Variant> = {
  cgnatOneNetwork: {
    description: "each mobile operator shows all the prefecture's IPv4 subscribers from one /24",
    apply: genuine((g) => ({ operators: g.operators.map((o) => ({ ...o, networks: 1 })) })),
  },
  mobileIpv4: {
    description: '70 % of own-connection filings from a mobile, all over IPv4 (CGNAT)',
    apply: genuine(() => ({ mobileShare: 0.7, mobileIpv4Share: 1 })),
  },
  clericalErrors: {
    description: 'one appointment in 1,000 wrongly refused at the counter (instead of 1 in 10,000)',
    apply: genuine((g) => ({ journey: { ...g.journey, wrongRefusalShare: 0.001 } })),
  },
  moreAssociations: {
    description: '20 % of people file through a legal-aid association (instead of 10 %)',
    apply: genuine((g) => ({ segments: { ...g.segments, alone: 0.45, association: 0.2 } })),
  },
  associationsOwnContacts: {
    description: "associations give the person's own email and phone, never the office's",
    apply: genuine((g) => ({ associations: { ...g.associations, officeEmailShare: 0, officePhoneShare: 0 } })),
  },
  listedProviders: {
    description: 'every public email provider people use is on the list (foreign ones included)',
    apply: genuine((g) => ({ email: { ...g.email, listedPublic: 0.9, unlistedPublic: 0 } })),
  },
  commonNames: {
    description: '5 % of people with a frequent name and a "1 January" birth date (instead of 1 %)',
    apply: genuine(() => ({ commonNameShare: 0.05 })),
  },
  smallFleets: {
    description: 'every fleet files 5 requests a day (instead of 20)',
    apply: (p) => ({ ...p, fleets: p.fleets.map((f) => ({ ...f, requestsPerDay: 5 })) }),
  },
};
