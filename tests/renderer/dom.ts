import type { DOMWrapper, VueWrapper } from '@vue/test-utils'

/** The form control a `<label>` with exactly this text points at. */
export function byLabel(wrapper: VueWrapper, text: string): DOMWrapper<HTMLInputElement> {
  const label = wrapper.findAll('label').find((l) => l.text().trim() === text)
  if (!label) throw new Error(`no label "${text}"`)
  const id = label.attributes('for')
  if (!id) throw new Error(`label "${text}" has no for=`)
  return wrapper.find<HTMLInputElement>(`#${id}`)
}

/** An element's accessible name as far as these tests need: aria-label, else its text without aria-hidden parts. */
export function accessibleName(element: Element): string {
  const label = element.getAttribute('aria-label')
  if (label !== null) return label
  const copy = element.cloneNode(true) as Element
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove()
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim()
}

/** The one button whose accessible name is exactly this. */
export function button(wrapper: VueWrapper | DOMWrapper<Element>, name: string): DOMWrapper<HTMLButtonElement> {
  const found = wrapper.findAll<HTMLButtonElement>('button').filter((b) => accessibleName(b.element) === name)
  if (found.length !== 1) throw new Error(`expected one button "${name}", found ${found.length}`)
  return found[0]!
}

export function hasButton(wrapper: VueWrapper | DOMWrapper<Element>, name: string): boolean {
  return wrapper.findAll('button').some((b) => accessibleName(b.element) === name)
}
