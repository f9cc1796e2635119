import type { IconName } from '../lib/icons'
import type { Screen } from '../stores/navigation'

export interface NavItem {
  id: Screen
  label: string
  icon: IconName
  /** A count shown next to the label (hidden from its name: the bell says counts in words). */
  badge: number
}
