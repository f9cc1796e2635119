import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ActionResult } from '../../../shared/bridge'
import type { NotificationItem } from '../../../shared/desk-state'
import { useBridge } from '../desk/bridge-context'
import { errorMessage } from '../lib/errors'
import { createFlash } from '../lib/flash'
import { useConnectionStore } from './connection'

export const PAGE_SIZE = 50
export const ALL_TYPES = 'all'

/**
 * The notification center and the bell. Reads the cache through the bridge,
 * so it works offline; an action taken offline shows as pending (`pending`)
 * until the server confirms it (a later upsert with `pending: null`).
 *
 * The list holds the rows the user has asked to see, never more: the first
 * page, plus a page for each "Show older notifications" (`shown`). A live
 * arrival goes on top and pushes the oldest row past that off the end, which
 * "Show older notifications" reads back from the cache (`hasMore`). A desk
 * left on another screen all day (tens of thousands of arrivals, each a
 * reactive row) so keeps one page, not the day's every notification.
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const bridge = useBridge()
  const connection = useConnectionStore()

  const items = ref<NotificationItem[]>([])
  const unread = ref(0)
  const hasMore = ref(false)
  const typeFilter = ref<string>(ALL_TYPES)
  const unreadOnly = ref(false)
  const knownTypes = ref<string[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadingMore = ref(false)
  const error = ref<string | null>(null)
  const actionError = ref<string | null>(null)
  const fresh = createFlash(4000)
  const highlighted = fresh.active
  let request = 0
  /** Rows the list keeps: the first page, and each older page the user asked for. */
  let shown = PAGE_SIZE

  const types = computed(() => [...knownTypes.value].sort())

  /**
   * Only what arrives live after the list first loaded lights up. Until then
   * (and during a session's first catch-up, which announces every stored
   * notification as new, before the session has ever synced) rows are what
   * the list starts with, not news.
   */
  function live(): boolean {
    return loaded.value && connection.info.lastSyncAt !== null
  }

  function noteTypes(list: readonly NotificationItem[]): void {
    const next = new Set(knownTypes.value)
    for (const n of list) next.add(n.type)
    if (next.size !== knownTypes.value.length) knownTypes.value = [...next]
  }

  function query(beforeId?: number) {
    return {
      limit: PAGE_SIZE,
      unreadOnly: unreadOnly.value,
      ...(typeFilter.value === ALL_TYPES ? {} : { type: typeFilter.value }),
      ...(beforeId === undefined ? {} : { beforeId }),
    }
  }

  /** Loads (or reloads) the first page. */
  async function load(): Promise<void> {
    const mine = ++request
    loading.value = true
    error.value = null
    try {
      const page = await bridge.listNotifications(query())
      if (mine !== request) return
      shown = PAGE_SIZE
      items.value = sortNewestFirst(page.items)
      hasMore.value = page.hasMore
      unread.value = page.unread
      noteTypes(page.items)
      loaded.value = true
    } catch (e) {
      if (mine === request) error.value = `Notifications could not be loaded: ${errorMessage(e)}`
    } finally {
      if (mine === request) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    const last = items.value.at(-1)
    if (!last || !hasMore.value) return
    const mine = request
    loadingMore.value = true
    try {
      const page = await bridge.listNotifications(query(last.id))
      if (mine !== request) return
      const seen = new Set(items.value.map((n) => n.id))
      items.value = sortNewestFirst([...items.value, ...page.items.filter((n) => !seen.has(n.id))])
      shown = Math.max(shown, items.value.length)
      hasMore.value = page.hasMore
      unread.value = page.unread
      noteTypes(page.items)
    } catch (e) {
      error.value = `More notifications could not be loaded: ${errorMessage(e)}`
    } finally {
      loadingMore.value = false
    }
  }

  function setTypeFilter(type: string): Promise<void> {
    typeFilter.value = type
    return load()
  }

  function setUnreadOnly(value: boolean): Promise<void> {
    unreadOnly.value = value
    return load()
  }

  function matchesFilter(n: NotificationItem): boolean {
    if (typeFilter.value !== ALL_TYPES && n.type !== typeFilter.value) return false
    if (unreadOnly.value && n.read_at !== null && n.pending !== 'read') return false
    return true
  }

  // ── events ────────────────────────────────────────────────────────────

  function upsert(item: NotificationItem, isNew: boolean): void {
    noteTypes([item])
    const index = items.value.findIndex((n) => n.id === item.id)
    if (index >= 0) {
      const next = [...items.value]
      next[index] = item
      items.value = next
    } else if (matchesFilter(item) && (isNew || !hasMore.value || item.id > (items.value.at(-1)?.id ?? 0))) {
      keep(sortNewestFirst([item, ...items.value]))
    }
    if (isNew && live()) fresh.flash(item.id)
  }

  /**
   * The list, down to the rows the user asked to see: the oldest beyond them
   * wait in the cache for "Show older". Not while an older page is on its
   * way: it is asked from the oldest row before the arrival, so dropping that
   * row would leave a gap between the list and the page.
   */
  function keep(list: NotificationItem[]): void {
    if (list.length > shown && !loadingMore.value) {
      list.length = shown
      hasMore.value = true
    }
    items.value = list
  }

  /** Drops an item from the list: the core says it is gone (`notification.removed`). Asks the server nothing. */
  function dropItem(id: number): void {
    items.value = items.value.filter((n) => n.id !== id)
  }

  function setUnread(count: number): void {
    unread.value = count
  }

  function synced(newest: readonly NotificationItem[]): Promise<void> {
    if (live()) for (const n of newest) fresh.flash(n.id)
    return load()
  }

  // ── actions ───────────────────────────────────────────────────────────

  function patch(id: number, change: Partial<NotificationItem>): NotificationItem | null {
    const index = items.value.findIndex((n) => n.id === id)
    const current = index >= 0 ? items.value[index] : undefined
    if (!current) return null
    const next = [...items.value]
    next[index] = { ...current, ...change }
    items.value = next
    return current
  }

  async function act(id: number | null, run: () => Promise<ActionResult>, optimistic: () => (() => void) | null, done: (result: ActionResult) => void): Promise<ActionResult | null> {
    actionError.value = null
    const undo = optimistic()
    try {
      const result = await run()
      done(result)
      return result
    } catch (e) {
      undo?.()
      actionError.value = `${id === null ? 'That' : 'The'} action did not go through: ${errorMessage(e)}`
      return null
    }
  }

  /** Shows an unread item as read at once, pending until the core confirms. */
  function readLocally(id: number): (() => void) | null {
    const item = items.value.find((n) => n.id === id)
    if (!item || item.read_at !== null) return null
    const before = patch(id, { read_at: new Date().toISOString(), pending: 'read' })
    if (!before) return null
    unread.value = Math.max(0, unread.value - 1)
    return () => {
      patch(id, { read_at: before.read_at, pending: before.pending })
      unread.value += 1
    }
  }

  function settleRead(id: number, result: ActionResult): void {
    if (result.status === 'done' && items.value.find((n) => n.id === id)?.pending === 'read') patch(id, { pending: null })
  }

  function markRead(id: number): Promise<ActionResult | null> {
    return act(id, () => bridge.markNotificationRead({ id }), () => readLocally(id), (r) => settleRead(id, r))
  }

  /** Opens the item's link: the core marks it read and emits `open` for one of our screens. */
  function open(id: number): Promise<ActionResult | null> {
    return act(id, () => bridge.openNotification({ id }), () => readLocally(id), (r) => settleRead(id, r))
  }

  function markAllRead(): Promise<ActionResult | null> {
    return act(
      null,
      () => bridge.markAllNotificationsRead(),
      () => {
        const before = items.value
        const unreadBefore = unread.value
        const at = new Date().toISOString()
        items.value = items.value.map((n) => (n.read_at === null ? { ...n, read_at: at, pending: 'read' as const } : n))
        unread.value = 0
        return () => {
          items.value = before
          unread.value = unreadBefore
        }
      },
      (result) => {
        if (result.status === 'done') items.value = items.value.map((n) => (n.pending === 'read' ? { ...n, pending: null } : n))
      },
    )
  }

  /** The user deletes an item: shown as pending at once, dropped when the core confirms. */
  function deleteItem(id: number): Promise<ActionResult | null> {
    return act(
      id,
      () => bridge.deleteNotification({ id }),
      () => {
        const before = patch(id, { pending: 'delete' })
        return before ? () => patch(id, { pending: before.pending }) : null
      },
      (result) => {
        if (result.status === 'done') dropItem(id)
      },
    )
  }

  function spotlight(id: number): void {
    fresh.flash(id)
  }

  function reset(): void {
    request++
    shown = PAGE_SIZE
    items.value = []
    unread.value = 0
    hasMore.value = false
    loaded.value = false
    typeFilter.value = ALL_TYPES
    unreadOnly.value = false
    knownTypes.value = []
    error.value = null
    actionError.value = null
    fresh.clear()
  }

  return {
    items,
    unread,
    hasMore,
    typeFilter,
    unreadOnly,
    types,
    loaded,
    loading,
    loadingMore,
    error,
    actionError,
    highlighted,
    load,
    loadMore,
    setTypeFilter,
    setUnreadOnly,
    upsert,
    dropItem,
    setUnread,
    synced,
    markRead,
    markAllRead,
    deleteItem,
    open,
    spotlight,
    reset,
  }
})

function sortNewestFirst(list: readonly NotificationItem[]): NotificationItem[] {
  return [...list].sort((a, b) => b.id - a.id)
}
