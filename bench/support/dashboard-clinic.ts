/**
 * Bench-only writes into the demo clinic's in-memory store, for the dashboard
 * benchmark: a day with thousands of appointments, and a user with thousands
 * of notifications.
 *
 * `ClinicStore` can create notifications (`createNotification`) but has no
 * way to add an appointment: the demo's world is generated from its seed.
 * `fillDay` therefore writes rows into the store's private `appointments` map
 * and moves its id counter, exactly as if the seed had laid out a busier day
 * (the REST API, the broadcaster and `updateAppointment` then treat them like
 * any other row). The clean way would be a `ClinicStore.addAppointment`
 * method; it is not added here because src/main is outside this benchmark.
 */
import type { Appointment, KnownAppointmentStatus } from '../../src/shared/domain';
import type { AppointmentAction } from '../../src/shared/payloads';
import { toLaravelIso } from '../../src/shared/time';
import type { ClinicStore } from '../../src/main/demo/clinic-store';

/** The private parts of `ClinicStore` that `fillDay` writes (see above). */
interface StoreInternals {
  appointments: Map<number, Appointment>;
  nextId: { appointment: number };
}

function internals(store: ClinicStore): StoreInternals {
  const inside = store as unknown as Partial<StoreInternals>;
  if (!(inside.appointments instanceof Map) || typeof inside.nextId?.appointment !== 'number') {
    throw new Error('ClinicStore changed shape: bench/support/dashboard-clinic.ts needs its appointments map and id counter');
  }
  return inside as StoreInternals;
}

const REASONS = ['Check-up', 'Follow-up', 'Vaccination', 'Blood test results', 'Back pain', 'Prescription renewal', 'Skin rash', 'Consultation'];
const UPCOMING: KnownAppointmentStatus[] = ['scheduled', 'confirmed', 'reminder_sent'];

/**
 * Adds appointments to `clinicId`'s day `day` (YYYY-MM-DD, UTC) until it holds
 * `total`, spread evenly over the clinic's doctors and over the whole day, in
 * a fixed order (no randomness: every run builds the same board).
 */
export function fillDay(store: ClinicStore, clinicId: number, day: string, total: number): { added: number; total: number } {
  const inside = internals(store);
  const existing = store.appointmentsOn(clinicId, day).length;
  const doctors = store.world.doctors.filter((d) => d.clinic_id === clinicId);
  const patients = store.world.patients.filter((p) => p.clinic_id === clinicId);
  if (doctors.length === 0 || patients.length === 0) throw new Error(`clinic ${clinicId} has no doctors or patients`);
  const toAdd = Math.max(0, total - existing);
  const perDoctor = Math.ceil(toAdd / doctors.length);
  const dayStart = Date.parse(`${day}T00:00:00Z`);
  // Every row is older than anything the benchmark sends, so each update is newer (newest wins).
  const updatedAt = toLaravelIso(Date.now() - 3_600_000);
  for (let i = 0; i < toAdd; i++) {
    const doctor = doctors[i % doctors.length];
    const patient = patients[(i * 7) % patients.length];
    if (!doctor || !patient) continue;
    const slot = Math.floor(i / doctors.length);
    // 06:00 to 22:00, evenly: a long, busy day.
    const minute = 6 * 60 + Math.floor((slot * 16 * 60) / perDoctor);
    const id = inside.nextId.appointment++;
    inside.appointments.set(id, {
      id,
      clinic_id: clinicId,
      doctor_id: doctor.id,
      patient_id: patient.id,
      patient_name: patient.name,
      status: UPCOMING[i % UPCOMING.length] ?? 'scheduled',
      appointment_date: toLaravelIso(dayStart + minute * 60_000),
      duration_minutes: [15, 20, 30][i % 3] ?? 15,
      reason: REASONS[i % REASONS.length] ?? null,
      updated_at: updatedAt,
    });
  }
  return { added: toAdd, total: store.appointmentsOn(clinicId, day).length };
}

/** Statuses an update cycles through: all keep the row on the board, each differs from the one before. */
const CYCLE: KnownAppointmentStatus[] = ['scheduled', 'confirmed', 'reminder_sent', 'checked_in', 'in_consultation', 'completed'];

export interface PlannedUpdate {
  id: number;
  status: string;
  action: AppointmentAction;
}

/**
 * `count` status changes for distinct appointments of the day, taken across
 * the doctors' columns in a fixed shuffled order, each to a status different
 * from the row's current one (so every update changes what is painted).
 */
export function planUpdates(store: ClinicStore, clinicId: number, day: string, count: number, offset = 0): PlannedUpdate[] {
  const rows = store.appointmentsOn(clinicId, day);
  if (offset + count > rows.length) throw new Error(`only ${rows.length} appointments on ${day}; asked for ${offset + count} distinct ones`);
  // A fixed permutation (multiplier coprime with the length) so updates land all over the board, not in one place.
  let step = 7919;
  while (gcd(step, rows.length) !== 1) step++;
  const plan: PlannedUpdate[] = [];
  for (let k = offset; k < offset + count; k++) {
    const row = rows[(k * step) % rows.length];
    if (!row) continue;
    const at = CYCLE.indexOf(row.status as KnownAppointmentStatus);
    const status = CYCLE[(at + 1) % CYCLE.length] ?? 'confirmed';
    plan.push({ id: row.id, status, action: status === 'reminder_sent' ? 'reminder' : 'confirmed' });
  }
  return plan;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * `count` notifications for `userId` straight into the store (no broadcast:
 * the desk learns of them by catching up), titles and messages of realistic
 * length, every other one already read on the server.
 */
export function addNotifications(store: ClinicStore, userId: number, count: number): { firstId: number; lastId: number; unread: number } {
  const types = ['appointment', 'consultation', 'message', 'reminder', 'system'];
  let firstId = 0;
  let lastId = 0;
  for (let i = 1; i <= count; i++) {
    const n = store.createNotification({
      user_id: userId,
      type: types[i % types.length] ?? 'system',
      title: `Appointment #${10_000 + i} confirmed`,
      message: `Patient ${i % 977} is confirmed for today with Dr. Example; room ${i % 12}. Please prepare the file.`,
      action_url: i % 2 === 0 ? `/appointments/${10_000 + i}` : null,
    });
    if (i % 2 === 0) store.markNotificationRead(userId, n.id);
    if (firstId === 0) firstId = n.id;
    lastId = n.id;
  }
  const unread = store.listNotifications(userId, 0, Number.MAX_SAFE_INTEGER).data.filter((n) => n.read_at === null).length;
  return { firstId, lastId, unread };
}
