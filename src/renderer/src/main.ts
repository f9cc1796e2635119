import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { z } from 'zod'
import App from './App.vue'
import './styles/base.css'

// The shared schemas validate every bridge answer. Zod would probe `new Function` for its
// fast path; the page's CSP forbids it (script-src 'self'), and the probe alone shows up as
// a CSP violation report, so it is switched off before anything is parsed.
z.config({ jitless: true })

createApp(App).use(createPinia()).mount('#app')
