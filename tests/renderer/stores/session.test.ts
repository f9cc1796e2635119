// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { useSessionStore } from '../../../src/renderer/src/stores/session'
import { createFakeBridge } from '../fake-bridge'
import { DEMO_ACCOUNTS, clinicZone, signedIn, user } from '../fixtures'
import { systemTimeZone } from '../../../src/shared/clinic-time'
import { withFakeBridge } from '../setup'

const FORM = { apiUrl: ' https://clinic.example.org/ ', email: ' rita@clinic.example.org ', password: 'secret' }

describe('session store', () => {
  beforeEach(() => window.localStorage.clear())

  it('refuses an invalid server address before calling the bridge, pointing at the field', async () => {
    const { fake } = withFakeBridge()
    const session = useSessionStore()
    expect(await session.signIn({ ...FORM, apiUrl: 'clinic' })).toBe(false)
    expect(fake.signIn).not.toHaveBeenCalled()
    expect(session.problem).toMatchObject({ kind: 'invalid-input', field: 'apiUrl' })
  })

  it('signs in with the trimmed form and takes the user at once', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    const session = useSessionStore()
    expect(await session.signIn(FORM)).toBe(true)
    expect(fake.signIn).toHaveBeenCalledWith({ apiUrl: 'https://clinic.example.org/', email: 'rita@clinic.example.org', password: 'secret' })
    expect(session.signedIn).toBe(true)
    expect(session.user?.name).toBe(user().name)
    expect(session.problem).toBeNull()
    expect(window.localStorage.getItem('clinic-desk.last-server')).toBe('https://clinic.example.org/')
  })

  it('takes the clinic’s time zone from the sign-in answer at once', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    const zone = clinicZone('America/Los_Angeles')
    fake.signIn.mockResolvedValueOnce({ ok: true, user: user({ time_zone: 'America/Los_Angeles' }), timeZone: zone })
    const session = useSessionStore()
    expect(session.timeZone).toEqual({ zone: systemTimeZone(), source: 'os', note: null })
    expect(await session.signIn(FORM)).toBe(true)
    expect(session.state).toMatchObject({ status: 'signed-in', timeZone: zone })
    expect(session.zone).toBe('America/Los_Angeles')
    expect(session.timeZone.source).toBe('server')
  })

  it('follows the zone the core announces, and falls back to this computer’s for one this window does not know', () => {
    withFakeBridge()
    const session = useSessionStore()
    session.apply(signedIn(user(), false, clinicZone('Australia/Sydney', { source: 'policy' })))
    expect(session.zone).toBe('Australia/Sydney')
    session.apply(signedIn(user(), false, clinicZone('Mars/Olympus')))
    expect(session.zone).toBe(systemTimeZone())
    expect(session.timeZone.note).toContain('Mars/Olympus')
    session.apply({ status: 'signed-out', reason: null })
    expect(session.timeZone).toEqual({ zone: systemTimeZone(), source: 'os', note: null })
  })

  it.each([
    ['invalid-credentials', 'Wrong email or password.', 'password'],
    ['unreachable', 'Cannot reach the clinic server', 'apiUrl'],
    ['not-a-clinic', 'not a clinic server', 'apiUrl'],
    ['forbidden', 'cannot use Clinic Desk', null],
    ['server-error', 'had a problem', null],
    ['local-cache', 'could not open its files on this computer', null],
  ] as const)('explains a %s failure', async (error, words, field) => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.signIn.mockResolvedValueOnce({ ok: false, error, message: 'from the core' })
    const session = useSessionStore()
    expect(await session.signIn(FORM)).toBe(false)
    expect(session.problem?.kind).toBe(error)
    expect(session.problem?.title).toContain(words)
    expect(session.problem?.detail).toBe('from the core')
    expect(session.problem?.field).toBe(field)
    expect(session.signedIn).toBe(false)
  })

  it.each([
    ['unreachable', 'Check the network connection, or tell your administrator.'],
    ['not-a-clinic', 'Please tell your administrator.'],
  ] as const)('with the server locked, a %s failure does not send the user to an address they cannot change', async (error, words) => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValueOnce({ apiUrl: 'https://preset.example.org', locked: true })
    fake.signIn.mockResolvedValueOnce({ ok: false, error, message: 'from the core' })
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(await session.signIn(FORM)).toBe(false)
    expect(session.problem?.title).toContain(words)
    expect(session.problem?.title).not.toContain('Check the address')
    expect(session.problem?.field).toBeNull()
  })

  it('turns a thrown bridge call into a server error, not a crash', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.signIn.mockRejectedValueOnce(new Error('IPC went away'))
    const session = useSessionStore()
    expect(await session.signIn(FORM)).toBe(false)
    expect(session.problem).toMatchObject({ kind: 'server-error', detail: 'IPC went away' })
    expect(session.pending).toBeNull()
  })

  it('signs in to the demo clinic as the chosen role', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    const session = useSessionStore()
    const done = session.signInDemo('doctor')
    expect(session.pending).toBe('doctor')
    expect(await done).toBe(true)
    expect(fake.signInDemo).toHaveBeenCalledWith({ role: 'doctor' })
    expect(session.isDemo).toBe(true)
  })

  it('loads the demo accounts and suggests the configured server', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValueOnce({ apiUrl: 'https://preset.example.org', locked: false })
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(fake.getServerPreset).toHaveBeenCalledTimes(1)
    expect(fake.diagnosticsReport).not.toHaveBeenCalled()
    expect(session.demoAccounts).toEqual(DEMO_ACCOUNTS)
    expect(session.presetApiUrl).toBe('https://preset.example.org')
    expect(session.presetLocked).toBe(false)
  })

  it('without a policy, still prefers the server this desk last signed in to over the configured one', async () => {
    window.localStorage.setItem('clinic-desk.last-server', 'https://last.example.org')
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValueOnce({ apiUrl: 'https://preset.example.org', locked: false })
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(session.presetApiUrl).toBe('https://last.example.org')
    expect(session.presetLocked).toBe(false)
  })

  it("puts the administrator's server before the one this desk last signed in to, and locks it", async () => {
    window.localStorage.setItem('clinic-desk.last-server', 'https://last.example.org')
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValueOnce({ apiUrl: 'https://preset.example.org', locked: true })
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(session.presetApiUrl).toBe('https://preset.example.org')
    expect(session.presetLocked).toBe(true)
  })

  it("signs in to the administrator's server when it is locked, whatever the form holds", async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValueOnce({ apiUrl: 'https://preset.example.org', locked: true })
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(await session.signIn({ ...FORM, apiUrl: 'https://elsewhere.example.org' })).toBe(true)
    expect(fake.signIn).toHaveBeenCalledWith({ apiUrl: 'https://preset.example.org', email: 'rita@clinic.example.org', password: 'secret' })
  })

  it('suggests nothing and locks nothing when the preset cannot be read', async () => {
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockRejectedValueOnce(new Error('IPC went away'))
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(session.presetApiUrl).toBe('')
    expect(session.presetLocked).toBe(false)
    expect(session.demoAccounts).toEqual(DEMO_ACCOUNTS)
  })

  it('prefers the server this desk last signed in to', async () => {
    window.localStorage.setItem('clinic-desk.last-server', 'https://last.example.org')
    const { fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.listDemoAccounts.mockResolvedValueOnce([])
    const session = useSessionStore()
    await session.loadSignInOptions()
    expect(session.presetApiUrl).toBe('https://last.example.org')
    expect(session.demoAccounts).toEqual([])
  })
})
