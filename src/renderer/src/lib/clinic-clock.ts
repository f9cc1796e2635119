import { piniaSymbol, type Pinia } from 'pinia'
import { computed, effectScope, getCurrentScope, hasInjectionContext, inject, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue'
import { dayIn, nextDayStart, systemTimeZone } from '../../../shared/clinic-time'
import { useSessionStore } from '../stores/session'
import * as time from './time'

/**
 * The clinic's clock for a component: the time functions of `./time`, bound
 * to the one zone the desk reads times in, the session's clinic zone (the
 * server's, the policy's, or this computer's, as the core decided). Reading a
 * time in a template reads the zone too, so every time on show follows a
 * change of zone.
 */
export interface ClinicClock {
  /** The clinic's zone, an IANA name. */
  readonly zone: ComputedRef<string>
  /** This computer's zone is another: a time shown on its own names its zone, a screen of times says whose they are. */
  readonly named: ComputedRef<boolean>
  /** `HH:MM` on the clinic's clock. */
  readonly clock: (at: time.Instant | null | undefined) => string
  /** `HH:MM:SS` on the clinic's clock. */
  readonly clockSeconds: (at: time.Instant | null | undefined) => string
  /** `HH:MM`, with the zone's short name when `named` ("09:30 PST"): a time with no screen around it to say whose it is. */
  readonly clockNamed: (at: time.Instant | null | undefined) => string
  /** The clinic's day of an instant, `YYYY-MM-DD`. */
  readonly day: (at: time.Instant | null | undefined) => string
  /** "5 min ago", "yesterday 14:05": days on the clinic's calendar. */
  readonly relative: (iso: string, now: number) => string
  /** Full date, time and zone, for a tooltip. */
  readonly dateTime: (at: time.Instant | null | undefined) => string
  /** "Times in America/Los_Angeles (PST)" (the zone's name at `at`, now by default), or empty while this computer's zone is the clinic's. */
  readonly note: (at?: time.Instant) => string
}

function build(zoneOf: () => string): ClinicClock {
  const zone = computed(zoneOf)
  const named = computed(() => !time.sameZone(zone.value, systemTimeZone()))
  return {
    zone,
    named,
    clock: (at) => time.clock(at, zone.value),
    clockSeconds: (at) => time.clockSeconds(at, zone.value),
    clockNamed: (at) => time.clockNamed(at, zone.value, named.value),
    day: (at) => time.dayOf(at, zone.value),
    relative: (iso, now) => time.relativeTime(iso, now, zone.value),
    dateTime: (at) => time.dateTime(at, zone.value),
    note: (at = Date.now()) => time.zoneNote(zone.value, systemTimeZone(), at),
  }
}

/** One clock per desk (its Pinia), shared by every component: a board of thousands of cards makes no computed of its own per card. */
const clocks = new WeakMap<Pinia, ClinicClock>()

/**
 * The clinic's clock. Its zone is the session store's, under the desk's app
 * (its Pinia); this computer's own zone for a component shown on its own,
 * without the desk's state (a component test).
 */
export function useClinicClock(): ClinicClock {
  const pinia = hasInjectionContext() ? inject(piniaSymbol, null) : null
  if (!pinia) {
    const own = systemTimeZone()
    return build(() => own)
  }
  let clock = clocks.get(pinia)
  if (!clock) {
    const session = useSessionStore(pinia)
    // Its own scope: the clock outlives the component that happened to make it first.
    clock = effectScope(true).run(() => build(() => session.zone))
    if (!clock) throw new Error('the clinic clock could not be made')
    clocks.set(pinia, clock)
  }
  return clock
}

/**
 * Longest wait between two looks at the calendar. A timer set for midnight
 * does not run while the computer sleeps: waking after midnight, "today"
 * catches up within this long.
 */
export const DAY_CHECK_MAX_MS = 10 * 60_000

/**
 * The clinic's "today", moving on by itself at each local midnight of its
 * zone (a timer set for `nextDayStart`, never a day's length added by hand:
 * the nights the clocks change are 23 and 25 hours long) and at once when the
 * zone changes. The timer stops with the effect scope that made it (a store,
 * a component).
 */
export function clinicToday(zone: () => string, now: () => number = () => Date.now()): Readonly<Ref<string>> {
  const today = ref(dayIn(now(), zone()))
  let timer: ReturnType<typeof setTimeout> | null = null

  const look = (): void => {
    if (timer !== null) clearTimeout(timer)
    const at = now()
    const z = zone()
    const day = dayIn(at, z)
    if (day !== today.value) today.value = day
    // A timer may fire a moment early: it then looks again at what is left of the day.
    const wait = Math.min(Math.max(0, nextDayStart(at, z) - at), DAY_CHECK_MAX_MS)
    timer = setTimeout(look, wait)
  }

  look()
  watch(zone, look)
  if (getCurrentScope()) {
    onScopeDispose(() => {
      if (timer !== null) clearTimeout(timer)
      timer = null
    })
  }
  return today
}
