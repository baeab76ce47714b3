// The configuration feature's use cases, bound to their ports: what a supervisor sees and
// changes of sites, counters, opening rules, closures, draws and settings (one use case per change).
import { bindUseCases } from '../shared/use-cases.ts';
import { addCounter } from './add-counter.ts';
import { addExceptionalOpening } from './add-exceptional-opening.ts';
import { addOpeningRule, addOpeningRules } from './add-opening-rule.ts';
import { closeSite } from './close-site.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { endOpeningRule } from './end-opening-rule.ts';
import { removeExceptionalOpening } from './remove-exceptional-opening.ts';
import { updateCounter } from './update-counter.ts';
import { removeDrawCadence, setDrawCadence } from './update-draw-cadence.ts';
import { updateDrawSchedule } from './update-draw-schedule.ts';
import { updateEmailCap } from './update-email-cap.ts';
import { updateProcedurePolicy } from './update-procedure-policy.ts';
import { updateSite } from './update-site.ts';
import { updateSiteOffer } from './update-site-offer.ts';
import { viewConfiguration } from './view-configuration.ts';
import { viewCounter } from './view-counter.ts';
import { viewOpeningRule } from './view-opening-rule.ts';
import { viewSite } from './view-site.ts';

export const configurationUseCases = (ctx: ConfigurationContext) =>
  bindUseCases(ctx, {
    viewConfiguration,
    viewSite,
    viewCounter,
    viewOpeningRule,
    updateSite,
    updateSiteOffer,
    addCounter,
    updateCounter,
    closeSite,
    addOpeningRule,
    addOpeningRules,
    endOpeningRule,
    addExceptionalOpening,
    removeExceptionalOpening,
    updateDrawSchedule,
    setDrawCadence,
    removeDrawCadence,
    updateProcedurePolicy,
    updateEmailCap,
  });

export type ConfigurationUseCases = ReturnType<typeof configurationUseCases>;
