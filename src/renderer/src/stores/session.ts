import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { SignInRequest, type DemoAccount, type SignInResult } from '../../../shared/bridge'
import { isTimeZone, systemTimeZone, type ClinicTimeZone } from '../../../shared/clinic-time'
import type { SessionState } from '../../../shared/desk-state'
import type { Role } from '../../../shared/domain'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'

export type SignInErrorKind = Extract<SignInResult, { ok: false }>['error']
export type DemoRole = DemoAccount['role']

/** What the sign-in form shows when it fails: a headline that says what to do, and the server's words. */
export interface SignInProblem {
  kind: SignInErrorKind
  title: string
  detail: string
  /** The field to send the user back to, if one is at fault. */
  field: 'apiUrl' | 'email' | 'password' | null
}

const TITLES: Record<SignInErrorKind, string> = {
  'invalid-credentials': 'Wrong email or password.',
  unreachable: 'Cannot reach the clinic server. Check the address and the network connection.',
  'not-a-clinic': 'That address is not a clinic server. Check the clinic server URL.',
  forbidden: 'This account cannot use Clinic Desk.',
  'invalid-input': 'Please check the details you entered.',
  'server-error': 'The clinic server had a problem. Please try again in a moment.',
  'local-cache': 'Clinic Desk could not open its files on this computer. Tell your administrator.',
}

const FIELDS: Record<SignInErrorKind, SignInProblem['field']> = {
  'invalid-credentials': 'password',
  unreachable: 'apiUrl',
  'not-a-clinic': 'apiUrl',
  forbidden: null,
  'invalid-input': null,
  'server-error': null,
  'local-cache': null,
}

// The server is the administrator's: staff cannot change it, so do not tell them to.
const LOCKED_SERVER_TITLES: Partial<Record<SignInErrorKind, string>> = {
  unreachable: 'Cannot reach the clinic server. Check the network connection, or tell your administrator.',
  'not-a-clinic': 'The clinic server set by your administrator did not answer like a clinic server. Please tell your administrator.',
}

export function describeSignInError(kind: SignInErrorKind, detail: string, serverLocked = false): SignInProblem {
  const locked = serverLocked ? LOCKED_SERVER_TITLES[kind] : undefined
  if (locked !== undefined) return { kind, title: locked, detail, field: null }
  return { kind, title: TITLES[kind], detail, field: FIELDS[kind] }
}

const LAST_SERVER_KEY = 'clinic-desk.last-server'

export interface SignInForm {
  apiUrl: string
  email: string
  password: string
}

export const useSessionStore = defineStore('session', () => {
  const bridge = useBridge()

  const state = ref<SessionState>({ status: 'signed-out', reason: null })
  /** Null until asked; empty when this host offers no demo clinic. */
  const demoAccounts = ref<DemoAccount[] | null>(null)
  const presetApiUrl = ref('')
  /** The administrator's policy sets the server: the form shows `presetApiUrl` and signs in there only. */
  const presetLocked = ref(false)
  /** What is being signed in: the form, or a demo role. */
  const pending = ref<'form' | DemoRole | null>(null)
  const problem = ref<SignInProblem | null>(null)

  const status = computed(() => state.value.status)
  const signedIn = computed(() => state.value.status === 'signed-in')
  const user = computed(() => (state.value.status === 'signed-in' ? state.value.user : null))
  const role = computed<Role | null>(() => user.value?.role ?? null)
  const isDemo = computed(() => state.value.status === 'signed-in' && state.value.demo)
  const apiUrl = computed(() => (state.value.status === 'signed-in' ? state.value.apiUrl : null))
  /**
   * The clinic's zone: whose days the board shows and whose clock every time
   * is read on. This computer's own zone while no one is signed in (and for a
   * zone this window's runtime does not know, which the core would not send).
   */
  const timeZone = computed<ClinicTimeZone>(() => {
    const s = state.value
    if (s.status === 'signed-in' && isTimeZone(s.timeZone.zone)) return s.timeZone
    return { zone: systemTimeZone(), source: 'os', note: s.status === 'signed-in' ? `${s.timeZone.zone} is not a time zone this window knows` : null }
  })
  const zone = computed(() => timeZone.value.zone)
  const signedOutReason = computed(() => (state.value.status === 'signed-out' ? state.value.reason : null))
  const busy = computed(() => pending.value !== null || state.value.status === 'signing-in')

  function apply(next: SessionState): void {
    state.value = next
    if (next.status === 'signed-in') problem.value = null
  }

  function accept(result: SignInResult, apiUrlUsed: string | null, demo: boolean): boolean {
    if (!result.ok) {
      problem.value = describeSignInError(result.error, result.message, presetLocked.value)
      return false
    }
    problem.value = null
    // The core announces the session too; taking the answer at once keeps the
    // window from flashing the form while that event is on its way.
    // (The demo clinic's address is known only to the core: its event brings it.)
    if (state.value.status !== 'signed-in') state.value = { status: 'signed-in', user: result.user, apiUrl: apiUrlUsed ?? '', demo, timeZone: result.timeZone }
    return true
  }

  async function signIn(form: SignInForm): Promise<boolean> {
    const apiUrlToUse = presetLocked.value ? presetApiUrl.value : form.apiUrl.trim()
    const request = SignInRequest.safeParse({ apiUrl: apiUrlToUse, email: form.email.trim(), password: form.password })
    if (!request.success) {
      const issue = request.error.issues[0]
      const field = issue?.path[0]
      const which = field === 'apiUrl' || field === 'email' || field === 'password' ? field : null
      const detail =
        which === 'apiUrl'
          ? 'Enter the full address of the clinic server, starting with https:// (or http://).'
          : which === 'email'
            ? 'Enter your work email address.'
            : which === 'password'
              ? 'Enter your password.'
              : (issue?.message ?? '')
      problem.value = { ...describeSignInError('invalid-input', detail), field: which }
      return false
    }
    pending.value = 'form'
    problem.value = null
    try {
      const result = await bridge.signIn(request.data)
      const ok = accept(result, request.data.apiUrl.replace(/\/+$/, ''), false)
      if (ok) rememberServer(request.data.apiUrl)
      return ok
    } catch (error) {
      problem.value = describeSignInError('server-error', errorMessage(error))
      return false
    } finally {
      pending.value = null
    }
  }

  async function signInDemo(demoRole: DemoRole): Promise<boolean> {
    pending.value = demoRole
    problem.value = null
    try {
      return accept(await bridge.signInDemo({ role: demoRole }), null, true)
    } catch (error) {
      problem.value = describeSignInError('server-error', errorMessage(error))
      return false
    } finally {
      pending.value = null
    }
  }

  async function signOut(): Promise<void> {
    try {
      await bridge.signOut()
    } finally {
      state.value = { status: 'signed-out', reason: null }
    }
  }

  /**
   * Demo accounts and the server to suggest, for the sign-in screen: the
   * administrator's server when the policy sets it; otherwise the one this desk
   * last signed in to, then the configured one.
   */
  async function loadSignInOptions(): Promise<void> {
    const [accounts, preset] = await Promise.allSettled([bridge.listDemoAccounts(), bridge.getServerPreset()])
    demoAccounts.value = accounts.status === 'fulfilled' ? accounts.value : []
    const configured = preset.status === 'fulfilled' ? preset.value : { apiUrl: null, locked: false }
    if (configured.locked && configured.apiUrl !== null) {
      presetLocked.value = true
      presetApiUrl.value = configured.apiUrl
    } else {
      presetLocked.value = false
      presetApiUrl.value = readRememberedServer() ?? configured.apiUrl ?? ''
    }
  }

  function clearProblem(): void {
    problem.value = null
  }

  return {
    state,
    demoAccounts,
    presetApiUrl,
    presetLocked,
    pending,
    problem,
    status,
    signedIn,
    user,
    role,
    isDemo,
    apiUrl,
    timeZone,
    zone,
    signedOutReason,
    busy,
    apply,
    signIn,
    signInDemo,
    signOut,
    loadSignInOptions,
    clearProblem,
  }
})

function rememberServer(url: string): void {
  try {
    window.localStorage.setItem(LAST_SERVER_KEY, url)
  } catch {
    // Storage may be unavailable (private mode, sandbox): the field just starts empty next time.
  }
}

function readRememberedServer(): string | null {
  try {
    return window.localStorage.getItem(LAST_SERVER_KEY)
  } catch {
    return null
  }
}
