import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { OpenTarget } from '../../../shared/desk-state'

export type Screen = OpenTarget['screen']

export const SCREENS: ReadonlyArray<{ id: Screen; label: string }> = [
  { id: 'board', label: 'Board' },
  { id: 'consultations', label: 'Consultations' },
  { id: 'notifications', label: 'Notifications' },
  { id: 'conversations', label: 'Conversations' },
  { id: 'presence', label: 'Presence' },
  { id: 'diagnostics', label: 'Diagnostics' },
  { id: 'settings', label: 'Settings' },
]

/** A request to show one item; `seq` makes the same target twice a new request. */
export interface OpenRequest {
  seq: number
  target: OpenTarget
}

/** The screen on show, and the item an `open` target asked for (from a notification, the tray, a link). */
export const useNavigationStore = defineStore('navigation', () => {
  const screen = ref<Screen>('board')
  const request = ref<OpenRequest | null>(null)
  let seq = 0

  function go(next: Screen): void {
    screen.value = next
  }

  function open(target: OpenTarget): void {
    screen.value = target.screen
    request.value = { seq: ++seq, target }
  }

  /** The view has shown the item: a later visit does not jump to it again. */
  function done(handled: OpenRequest): void {
    if (request.value?.seq === handled.seq) request.value = null
  }

  function reset(): void {
    screen.value = 'board'
    request.value = null
  }

  return { screen, request, go, open, done, reset }
})
