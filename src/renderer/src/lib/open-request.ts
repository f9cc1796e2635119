import { nextTick, onMounted, watch } from 'vue'
import type { OpenTarget } from '../../../shared/desk-state'
import { useNavigationStore } from '../stores/navigation'

type TargetOf<S extends OpenTarget['screen']> = Extract<OpenTarget, { screen: S }>

/**
 * Runs `handle` for every `open` request aimed at this screen (from a
 * notification, the tray, a link): once when the screen mounts with one
 * waiting, then for each new request while it is on show. The request is
 * taken first, so a later visit does not jump to the item again.
 */
export function useOpenRequest<S extends OpenTarget['screen']>(screen: S, handle: (target: TargetOf<S>) => void | Promise<void>): void {
  const navigation = useNavigationStore()
  function take(): void {
    const request = navigation.request
    if (!request || request.target.screen !== screen) return
    navigation.done(request)
    void handle(request.target as TargetOf<S>)
  }
  onMounted(take)
  watch(() => navigation.request?.seq, take)
}

/** Brings the item a request named into view once it has rendered. */
export async function revealItem(selector: string): Promise<void> {
  await nextTick()
  document.querySelector(selector)?.scrollIntoView({ block: 'center' })
}
