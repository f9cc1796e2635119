// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import App from '../../../src/renderer/src/App.vue'
import { appointmentActionLabel, consultationStatusLabel, roleGroupLabel, roleLabel } from '../../../src/renderer/src/lib/labels'
import { clock } from '../../../src/renderer/src/lib/time'
import { useConsultationsStore } from '../../../src/renderer/src/stores/consultations'
import { usePresenceStore } from '../../../src/renderer/src/stores/presence'
import BoardView from '../../../src/renderer/src/views/BoardView.vue'
import ConsultationsView from '../../../src/renderer/src/views/ConsultationsView.vue'
import PresenceView from '../../../src/renderer/src/views/PresenceView.vue'
import { createFakeBridge } from '../fake-bridge'
import { CLINIC_ZONE, ROSTER, appointment, at, board, consultation, member, signedIn, user } from '../fixtures'
import { startedDesk } from '../setup'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('labels for values the desk does not know', () => {
  it('keeps the known words, and shows an unknown value in its own words', () => {
    expect(roleLabel('doctor')).toBe('Doctor')
    expect(roleLabel('nurse')).toBe('Nurse')
    expect(roleLabel('head_nurse')).toBe('Head nurse')
    expect(roleGroupLabel('admin')).toBe('Administrators')
    expect(roleGroupLabel('nurse')).toBe('Nurse')
    expect(consultationStatusLabel('active')).toBe('Active')
    expect(consultationStatusLabel('on_hold')).toBe('On hold')
    expect(appointmentActionLabel('reminder')).toBe('Reminder sent')
    expect(appointmentActionLabel('rescheduled')).toBe('Rescheduled')
  })
})

describe('members of roles the desk does not know', () => {
  const MEMBERS = [
    member({ id: 5, name: 'Dr. Ada Lovelace', role: 'doctor' }),
    member({ id: 11, name: 'Nina Nurse', role: 'nurse' }),
    member({ id: 2, name: 'Rita Reception', role: 'reception' }),
    member({ id: 12, name: 'Hank Head', role: 'head_nurse' }),
    member({ id: 13, name: 'Ned Nurse', role: 'nurse' }),
  ]

  it('are grouped under their role as written, after the known groups, and named by it', async () => {
    const fake = createFakeBridge({ snapshot: { presence: { clinicId: 1, members: MEMBERS, roster: ROSTER } } })
    const { pinia } = await startedDesk(fake)
    expect(usePresenceStore().groups.map((g) => [g.role, g.label, g.members.map((m) => m.name)])).toEqual([
      ['doctor', 'Doctors', ['Dr. Ada Lovelace']],
      ['reception', 'Reception', ['Rita Reception']],
      ['head_nurse', 'Head nurse', ['Hank Head']],
      ['nurse', 'Nurse', ['Ned Nurse', 'Nina Nurse']],
    ])

    const wrapper = mount(PresenceView, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['Doctors (1)', 'Reception (1)', 'Head nurse (1)', 'Nurse (2)'])
    expect(wrapper.find('[data-member-id="11"] .role').text()).toBe('Nurse')
    expect(wrapper.find('[data-member-id="12"] .role').text()).toBe('Head nurse')
    // Each group's list is named by its heading.
    for (const list of wrapper.findAll('ul[aria-labelledby]')) {
      const heading = wrapper.find(`#${list.attributes('aria-labelledby') ?? 'missing'}`)
      expect(heading.element.tagName).toBe('H2')
    }
    const nurses = wrapper.find('[data-role="nurse"]')
    expect(nurses.findAll('[data-member-id]').map((m) => m.attributes('data-member-id'))).toEqual(['13', '11'])
    wrapper.unmount()
  })

  it('joining live, land in their own group', async () => {
    const { fake } = await startedDesk(createFakeBridge({ snapshot: { presence: { clinicId: 1, members: [member()], roster: ROSTER } } }))
    fake.emit({ kind: 'presence.joined', member: member({ id: 20, name: 'Molly Manager', role: 'practice_manager', onlineSince: at('09:00') }) })
    expect(usePresenceStore().groups.map((g) => g.label)).toEqual(['Doctors', 'Practice manager'])
  })

  it('a signed-in user of such a role sees it in the header', async () => {
    const fake = createFakeBridge({ snapshot: { session: signedIn(user({ name: 'Nina Nurse', role: 'nurse' })) } })
    const wrapper = mount(App, { props: { connect: () => Promise.resolve(fake) }, global: { plugins: [createPinia()] }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('.user-name').text()).toBe('Nina Nurse')
    expect(wrapper.find('.user-role').text()).toBe('Nurse')
    wrapper.unmount()
  })
})

describe('consultations of a status the desk does not know', () => {
  it('are kept, in an "Other" group after the known ones, each showing its status', async () => {
    const fake = createFakeBridge({
      snapshot: {
        consultations: [
          consultation({ id: 1, status: 'pending' }),
          consultation({ id: 2, status: 'on_hold', patient_name: 'Olive Hold', updated_at: at('08:10') }),
          consultation({ id: 3, status: 'transferred', patient_name: 'Terry Transfer', updated_at: at('08:20') }),
        ],
      },
    })
    const { pinia } = await startedDesk(fake)
    expect(useConsultationsStore().byStatus.other.map((c) => c.id)).toEqual([3, 2])
    expect(useConsultationsStore().byStatus.pending.map((c) => c.id)).toEqual([1])

    const wrapper = mount(ConsultationsView, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['Pending', 'Active', 'Completed', 'Cancelled', 'Other'])
    const other = wrapper.find('[data-lane="other"]')
    expect(other.find('.count').text()).toBe('2')
    const olive = other.find('[data-consultation-id="2"]')
    expect(olive.attributes('data-status')).toBe('on_hold')
    expect(olive.text()).toContain('Olive Hold')
    expect(olive.find('.timing').text()).toBe(`On hold since ${clock(at('08:10'), CLINIC_ZONE)}`)
    expect(other.find('[data-consultation-id="3"] .timing').text()).toBe(`Transferred since ${clock(at('08:20'), CLINIC_ZONE)}`)
    wrapper.unmount()
  })

  it('show no "Other" group when there are none, and one as soon as a live update brings one', async () => {
    const fake = createFakeBridge({ snapshot: { consultations: [consultation({ id: 1, status: 'active', started_at: at('08:00') })] } })
    const { pinia } = await startedDesk(fake)
    const wrapper = mount(ConsultationsView, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(wrapper.find('[data-lane="other"]').exists()).toBe(false)
    expect(wrapper.findAll('h2').map((h) => h.text())).toEqual(['Pending', 'Active', 'Completed', 'Cancelled'])
    fake.emit({ kind: 'consultation.updated', consultation: consultation({ id: 1, status: 'on_hold', started_at: at('08:00'), updated_at: at('09:00') }) })
    await flushPromises()
    expect(wrapper.find('[data-lane="active"] .count').text()).toBe('0')
    expect(wrapper.find('[data-lane="other"] [data-consultation-id="1"]').text()).toContain('On hold')
    wrapper.unmount()
  })
})

describe('appointment changes the desk does not know', () => {
  async function mountBoard(fake = createFakeBridge()) {
    const { pinia } = await startedDesk(fake)
    const wrapper = mount(BoardView, { global: { plugins: [pinia] } })
    await flushPromises()
    return { wrapper, fake }
  }

  it('announce an unknown action as the server wrote it, with the status', async () => {
    const { wrapper, fake } = await mountBoard()
    fake.emit({
      kind: 'appointment.updated',
      appointment: appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', status: 'scheduled', appointment_date: at('10:30'), updated_at: at('09:02') }),
      action: 'rescheduled',
      changed: ['appointment_date'],
    })
    await flushPromises()
    expect(wrapper.find('[aria-live="polite"]').text()).toBe(`Alice Archer, ${clock(at('10:30'), CLINIC_ZONE)}: Scheduled (Rescheduled)`)
    expect(wrapper.find('[data-appointment-id="1"] .chip').text()).toBe('Scheduled')
  })

  it('say a known action once when the status already says it', async () => {
    const { wrapper, fake } = await mountBoard()
    fake.emit({
      kind: 'appointment.updated',
      appointment: appointment({ id: 1, doctor_id: 31, patient_name: 'Alice Archer', status: 'confirmed', appointment_date: at('09:00'), updated_at: at('09:02') }),
      action: 'confirmed',
      changed: ['status'],
    })
    await flushPromises()
    expect(wrapper.find('[aria-live="polite"]').text()).toBe(`Alice Archer, ${clock(at('09:00'), CLINIC_ZONE)}: Confirmed`)
  })

  it('title a doctor’s column by the name the rows carry when the board has none for them', async () => {
    const fake = createFakeBridge({
      snapshot: { board: board({ appointments: [appointment({ id: 7, doctor_id: 40, doctor_name: 'Dr. Grace Hopper' }), appointment({ id: 8, doctor_id: 41 })] }) },
    })
    const { wrapper } = await mountBoard(fake)
    expect(wrapper.find('[data-doctor-id="40"]').text()).toContain('Dr. Grace Hopper')
    expect(wrapper.find('[data-doctor-id="41"]').text()).toContain('Doctor #41')
  })
})
