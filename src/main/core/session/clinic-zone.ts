import { isTimeZone, type ClinicTimeZone } from '../../../shared/clinic-time';

/**
 * Which zone the clinic's days are in: the server's word first (the clinic
 * knows where it is, whichever desk asks), then the admin policy's
 * `clinic.timeZone`, then this computer's own zone. A name the server sends
 * that this runtime does not know is set aside with a note, never a reason to
 * refuse the sign-in.
 */
export function resolveClinicZone(input: { server: string | null; policy: string | undefined; system: string }): ClinicTimeZone {
  const server = input.server?.trim() ?? null;
  const setAside = server !== null && server !== '' && !isTimeZone(server) ? `The server names the time zone "${server.slice(0, 64)}", which is not an IANA time zone name this desk knows` : null;
  if (server !== null && setAside === null && server !== '') return { zone: server, source: 'server', note: null };
  if (input.policy !== undefined) return { zone: input.policy, source: 'policy', note: setAside === null ? null : `${setAside}; the policy's clinic.timeZone is used.` };
  return { zone: input.system, source: 'os', note: setAside === null ? null : `${setAside}; this computer's zone is used (set clinic.timeZone in the policy to choose one).` };
}
