// Preload (placeholder). Later it exposes exactly the ClinicBridge contract from
// src/shared on window.clinic. It never exposes ipcRenderer or any Node API.
// Built as a single CommonJS file (out/preload/index.cjs): sandboxed preloads cannot be ESM.
import { contextBridge } from 'electron'
import { version } from '../../package.json'

contextBridge.exposeInMainWorld('clinic', Object.freeze({ version }))
