/** Whether a key press is text being typed (a field, a list box, an editable area): single-key shortcuts leave it alone. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  return target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT'
}

/** A key pressed with Ctrl, Alt or Meta belongs to the browser or the app's menus, not to a single-key shortcut. */
export function withModifier(event: KeyboardEvent): boolean {
  return event.ctrlKey || event.altKey || event.metaKey
}
