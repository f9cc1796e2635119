/** The ids a setting's control is described by (SettingNotes.vue): its hint and, when the policy locks it, the lock note. */
export function settingDescription(id: string, notes: { hint?: string | undefined; locked: boolean }): string | undefined {
  return [notes.hint ? `${id}-hint` : '', notes.locked ? `${id}-locked` : ''].filter(Boolean).join(' ') || undefined
}
