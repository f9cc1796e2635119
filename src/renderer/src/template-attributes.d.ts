// `data-*` attributes in templates (test hooks and CSS state), which strict templates would otherwise reject.
import 'vue'

declare module 'vue' {
  interface HTMLAttributes {
    [key: `data-${string}`]: string | number | boolean | undefined
  }
}
