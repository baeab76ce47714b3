// The booking feature's use cases, bound to the booking context: free slots (the public
// calendar cached), booking, and
// what the management token allows (view, cancel, reschedule, change the phone number); the purge of idempotency records.

import { newDeviceId } from '../shared/new-device-id.ts';
import { newIdempotencyKey } from '../shared/new-idempotency-key.ts';
import { purgeIdempotencyRecords } from '../shared/purge-idempotency-records.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { bookSlot } from './book-slot.ts';
import { cancelAppointment } from './cancel-appointment.ts';
import { changeAppointmentPhone } from './change-appointment-phone.ts';
import { describeSlot } from './describe-slot.ts';
import { type FreeSlotCalendarContext, freeSlotCalendar } from './free-slot-calendar.ts';
import { listFreeSlots } from './list-free-slots.ts';
import { localToday } from './local-today.ts';
import { rescheduleAppointment } from './reschedule-appointment.ts';
import { viewAppointment } from './view-appointment.ts';
import { viewAppointmentDetails } from './view-appointment-details.ts';

export const bookingUseCases = (ctx: FreeSlotCalendarContext) =>
  bindUseCases(ctx, {
    listFreeSlots,
    freeSlotCalendar,
    localToday,
    describeSlot,
    bookSlot,
    newIdempotencyKey,
    newDeviceId,
    viewAppointment,
    viewAppointmentDetails,
    cancelAppointment,
    changeAppointmentPhone,
    rescheduleAppointment,
    purgeIdempotencyRecords,
  });

export type BookingUseCases = ReturnType<typeof bookingUseCases>;
