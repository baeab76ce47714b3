// Every feature, built once from the ports and the configuration, in dependency order (a
// feature that shows the catalogue is given the catalogue's use cases). main.ts, the CLI,
// the benchmarks and the tests all build their features here.
import type { Config } from '../config.ts';
import { createAccessFeature } from '../features/access.ts';
import { createAgendaFeature } from '../features/agenda.ts';
import { createAgentChannelFeature } from '../features/agent-channel.ts';
import { createAgentsFeature } from '../features/agents.ts';
import { createApplicantFeature } from '../features/applicants.ts';
import { createBookingFeature } from '../features/booking.ts';
import { createCallbackFeature } from '../features/callbacks.ts';
import { createCatalogueFeature } from '../features/catalogue.ts';
import { createConfigurationFeature } from '../features/configuration.ts';
import { createConvocationFeature } from '../features/convocations.ts';
import { createDevOutboxFeature, devOutboxDirOf, devSmsDirOf } from '../features/dev-outbox.ts';
import { createDrawFeature } from '../features/draws.ts';
import { createEvidenceFeature } from '../features/evidence.ts';
import type { Feature, WebSettings } from '../features/feature.ts';
import { createFraudFeature } from '../features/fraud.ts';
import { createNotificationFeature } from '../features/notifications.ts';
import { createOfferFeature } from '../features/offers.ts';
import type { Ports } from '../features/ports.ts';
import { createRequestFeature } from '../features/requests.ts';
import { createRetentionFeature } from '../features/retention.ts';
import { createReviewFeature } from '../features/review.ts';
import { createSmsFeature } from '../features/sms.ts';
import { createStatisticsFeature } from '../features/statistics.ts';

/** What the deployment says of cookies: Secure in production. */
export const webSettingsOf = (config: Config): WebSettings => ({ secureCookies: config.env === 'production' });

export interface FeatureOptions {
  /** Default: Secure cookies in production (webSettingsOf). */
  web?: WebSettings;
  /** The `.eml` outbox shown at /dev/outbox; default: devOutboxDirOf(config); null: no such page. */
  devOutboxDir?: string | null;
}

export function createFeatures(ports: Ports, config: Config, options: FeatureOptions = {}) {
  const { web = webSettingsOf(config), devOutboxDir = devOutboxDirOf(config) } = options;
  const catalogue = createCatalogueFeature(ports);
  const callbacks = createCallbackFeature(ports, { catalogue: catalogue.useCases }, web);
  const applicants = createApplicantFeature(ports, config);
  const offers = createOfferFeature(ports);
  const evidence = createEvidenceFeature(ports, config, { catalogue: catalogue.useCases });
  const draws = createDrawFeature(ports, { evidence: evidence.useCases }, config);
  const requests = createRequestFeature(ports, config, web, {
    applicants: applicants.useCases,
    offers: offers.useCases,
    draws: draws.useCases,
  });
  const convocations = createConvocationFeature(ports, config);
  const booking = createBookingFeature(ports, config, web, {
    catalogue: catalogue.useCases,
    applicants: applicants.useCases,
    requests: requests.useCases,
    convocations: convocations.useCases,
  });
  const access = createAccessFeature(ports, config, web, {
    applicants: applicants.useCases,
    booking: booking.useCases,
    requests: requests.useCases,
  });
  const notifications = createNotificationFeature(ports, config);
  const devOutbox = devOutboxDir ? createDevOutboxFeature(devOutboxDir, devSmsDirOf(config)) : null;
  const agents = createAgentsFeature(ports, { catalogue: catalogue.useCases });
  const configuration = createConfigurationFeature(ports, config);
  const agenda = createAgendaFeature(ports, { callbacks: callbacks.useCases }, config);
  const review = createReviewFeature(ports, { catalogue: catalogue.useCases });
  const fraud = createFraudFeature(ports, config, { catalogue: catalogue.useCases });
  const agentChannel = createAgentChannelFeature(ports, config);
  const sms = createSmsFeature(ports, config);
  const statistics = createStatisticsFeature(ports);
  const retention = createRetentionFeature(ports, config);
  const byName = {
    catalogue,
    callbacks,
    applicants,
    offers,
    requests,
    convocations,
    booking,
    access,
    draws,
    notifications,
    agents,
    configuration,
    agenda,
    review,
    fraud,
    agentChannel,
    evidence,
    sms,
    statistics,
    retention,
  };
  // Registered in this order (the demo outbox, when there is one, last).
  const all: readonly Feature[] = [...Object.values(byName), ...(devOutbox ? [devOutbox] : [])];
  return { ...byName, all };
}

export type Features = ReturnType<typeof createFeatures>;

/** Every feature's housekeeping, one after the other: how many rows each purged, by name. */
export async function upkeepOf(features: readonly Feature[]): Promise<Record<string, number>> {
  const purged: Record<string, number> = {};
  for (const feature of features) if (feature.upkeep) Object.assign(purged, await feature.upkeep());
  return purged;
}
