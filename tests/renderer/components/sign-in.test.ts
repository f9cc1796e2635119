// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import SignInView from '../../../src/renderer/src/views/SignInView.vue'
import { createFakeBridge } from '../fake-bridge'
import { byLabel, button } from '../dom'
import { withFakeBridge } from '../setup'

function mountSignIn() {
  const { pinia, fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
  const wrapper = mount(SignInView, { global: { plugins: [pinia] }, attachTo: document.body })
  return { wrapper, fake }
}

async function fillAndSubmit(wrapper: ReturnType<typeof mountSignIn>['wrapper'], apiUrl = 'https://clinic.example.org') {
  await byLabel(wrapper, 'Clinic server URL').setValue(apiUrl)
  await byLabel(wrapper, 'Email').setValue('rita@clinic.example.org')
  await byLabel(wrapper, 'Password').setValue('hunter2')
  await button(wrapper, 'Sign in').trigger('submit')
  await flushPromises()
}

describe('sign-in screen', () => {
  beforeEach(() => {
    window.localStorage.clear()
    document.body.innerHTML = ''
  })

  it('has the heading, labelled fields, the Sign in button and the demo group', async () => {
    const { wrapper } = mountSignIn()
    await flushPromises()
    expect(wrapper.find('h1').text()).toBe('Sign in to your clinic')
    expect(byLabel(wrapper, 'Clinic server URL').attributes('type')).toBe('url')
    expect(byLabel(wrapper, 'Email').attributes('type')).toBe('email')
    expect(byLabel(wrapper, 'Password').attributes('type')).toBe('password')
    const group = wrapper.find('[role="group"]')
    expect(wrapper.find(`#${group.attributes('aria-labelledby')}`).text()).toBe('Try the demo clinic')
    expect(group.findAll('button').map((b) => b.text())).toEqual(['Reception', 'Doctor', 'Admin'])
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it.each([
    ['invalid-credentials', 'Wrong email or password.'],
    ['unreachable', 'Cannot reach the clinic server'],
    ['not-a-clinic', 'not a clinic server'],
  ] as const)('shows a %s error in an alert', async (error, words) => {
    const { wrapper, fake } = mountSignIn()
    fake.signIn.mockResolvedValueOnce({ ok: false, error, message: 'Details from the core.' })
    await fillAndSubmit(wrapper)
    expect(fake.signIn).toHaveBeenCalledWith({ apiUrl: 'https://clinic.example.org', email: 'rita@clinic.example.org', password: 'hunter2' })
    const alert = wrapper.find('[role="alert"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain(words)
    expect(alert.text()).toContain('Details from the core.')
    expect(alert.attributes('data-error')).toBe(error)
    wrapper.unmount()
  })

  it('sends the user back to the password after a wrong password', async () => {
    const { wrapper, fake } = mountSignIn()
    fake.signIn.mockResolvedValueOnce({ ok: false, error: 'invalid-credentials', message: 'These credentials do not match our records.' })
    await fillAndSubmit(wrapper)
    await flushPromises()
    const password = byLabel(wrapper, 'Password')
    expect(password.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(password.element)
    wrapper.unmount()
  })

  it('checks the address before asking the core', async () => {
    const { wrapper, fake } = mountSignIn()
    await fillAndSubmit(wrapper, 'not a url')
    expect(fake.signIn).not.toHaveBeenCalled()
    expect(wrapper.find('[role="alert"]').text()).toContain('https://')
    expect(byLabel(wrapper, 'Clinic server URL').attributes('aria-invalid')).toBe('true')
    wrapper.unmount()
  })

  it('signs in to the demo clinic as the role clicked, naming the demo users', async () => {
    const { wrapper, fake } = mountSignIn()
    await flushPromises()
    expect(wrapper.text()).toContain('Dr. Ada Lovelace')
    await button(wrapper, 'Doctor').trigger('click')
    await flushPromises()
    expect(fake.signInDemo).toHaveBeenCalledWith({ role: 'doctor' })
    wrapper.unmount()
  })

  it("shows the administrator's server read-only, asks only for e-mail and password, and signs in there", async () => {
    window.localStorage.setItem('clinic-desk.last-server', 'https://last.example.org')
    const { pinia, fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValue({ apiUrl: 'https://preset.example.org', locked: true })
    const wrapper = mount(SignInView, { global: { plugins: [pinia] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.findAll('label').map((l) => l.text().trim())).toEqual(['Email', 'Password'])
    expect(wrapper.find('input[type="url"]').exists()).toBe(false)
    expect(wrapper.findAll('form input').map((i) => i.attributes('type'))).toEqual(['email', 'password'])
    const server = wrapper.find('#sign-in-server')
    expect(server.element.tagName).toBe('P')
    expect(server.text().replace(/\s+/g, ' ')).toBe('Clinic server: https://preset.example.org')
    expect(wrapper.find('form').text()).toContain('Set by your administrator')
    expect(wrapper.text()).not.toContain('https://last.example.org')
    expect(document.activeElement).toBe(byLabel(wrapper, 'Email').element)

    await byLabel(wrapper, 'Email').setValue('rita@clinic.example.org')
    await byLabel(wrapper, 'Password').setValue('hunter2')
    await button(wrapper, 'Sign in').trigger('submit')
    await flushPromises()
    expect(fake.signIn).toHaveBeenCalledWith({ apiUrl: 'https://preset.example.org', email: 'rita@clinic.example.org', password: 'hunter2' })
    wrapper.unmount()
  })

  it('offers the server as an editable field, filled with the configured one, when the policy does not set it', async () => {
    const { pinia, fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.getServerPreset.mockResolvedValue({ apiUrl: 'https://preset.example.org', locked: false })
    const wrapper = mount(SignInView, { global: { plugins: [pinia] }, attachTo: document.body })
    await flushPromises()
    expect(byLabel(wrapper, 'Clinic server URL').element.value).toBe('https://preset.example.org')
    expect(wrapper.find('#sign-in-server').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('Set by your administrator')
    wrapper.unmount()
  })

  it('hides the demo group when this host has no demo clinic', async () => {
    const { pinia, fake } = withFakeBridge(createFakeBridge({ signedOut: true }))
    fake.listDemoAccounts.mockResolvedValueOnce([])
    const wrapper = mount(SignInView, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(wrapper.find('[role="group"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
