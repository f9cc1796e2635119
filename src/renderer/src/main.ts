import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { z } from 'zod'
import App from './App.vue'
import { getBridge } from './bridge'
import { createErrorReporter } from './lib/error-reporting'
import './styles/base.css'

// The shared schemas validate every bridge answer. Zod would probe `new Function` for its
// fast path; the page's CSP forbids it (script-src 'self'), and the probe alone shows up as
// a CSP violation report, so it is switched off before anything is parsed.
z.config({ jitless: true })

// The window's errors go to the app's log through the bridge (`log`), once it has connected.
const errors = createErrorReporter()
const connect = async () => {
  const bridge = await getBridge()
  errors.attach(bridge)
  return bridge
}
const app = createApp(App, { connect })
errors.install(app, window)
app.use(createPinia()).mount('#app')
