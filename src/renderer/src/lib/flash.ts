import { ref, type Ref } from 'vue'

/**
 * Items to highlight briefly after a live change (`changed` fields kept for
 * views that want them). Timers reset when the same item changes again.
 */
export interface Flash {
  /** Highlighted ids and the fields that changed. */
  readonly active: Ref<Record<number, readonly string[]>>
  flash(id: number, fields?: readonly string[]): void
  has(id: number): boolean
  clear(): void
}

export const HIGHLIGHT_MS = 2000

export function createFlash(durationMs = HIGHLIGHT_MS): Flash {
  const active = ref<Record<number, readonly string[]>>({})
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  return {
    active,
    flash(id, fields = []) {
      const running = timers.get(id)
      if (running !== undefined) clearTimeout(running)
      active.value = { ...active.value, [id]: fields }
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id)
          const next = { ...active.value }
          delete next[id]
          active.value = next
        }, durationMs),
      )
    },
    has: (id) => id in active.value,
    clear() {
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
      active.value = {}
    },
  }
}
