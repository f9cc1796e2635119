/**
 * Electron fuses for packaged builds: feature switches flipped in the Electron
 * binary at packaging time, before code signing, so the OS's signature check
 * keeps them flipped. Keys and meanings are electron-builder's `electronFuses`
 * (`FuseOptionsV1`, from @electron/fuses); build/electron-builder.config.ts
 * passes this object to electron-builder, adding only
 * `resetAdHocDarwinSignature`. tests/electron/build.test.ts checks every fuse
 * electron-builder flips from that configuration against the values it
 * expects.
 *
 * Consequences for the app: with runAsNode off, `child_process.fork` from the
 * main process does not work (Clinic Desk forks nothing; use a utility process
 * if that changes); with onlyLoadAppFromAsar on, the app must be packaged as
 * app.asar, and better-sqlite3's native addon must be unpacked next to it
 * (`asarUnpack`), which ASAR integrity does not cover.
 */
export interface FuseOptionsV1 {
  /** ELECTRON_RUN_AS_NODE: the app binary could be used as a plain Node.js. */
  runAsNode: boolean;
  /** Encrypt the cookie store with OS-level keys (one-way: never turn it off again). */
  enableCookieEncryption: boolean;
  /** NODE_OPTIONS and NODE_EXTRA_CA_CERTS from the environment. */
  enableNodeOptionsEnvironmentVariable: boolean;
  /** --inspect and friends: a debugger attached to the main process. */
  enableNodeCliInspectArguments: boolean;
  /** Check app.asar against the hash embedded at packaging (macOS, Windows). */
  enableEmbeddedAsarIntegrityValidation: boolean;
  /** Load the app from app.asar only, never from a loose folder beside it. */
  onlyLoadAppFromAsar: boolean;
  loadBrowserProcessSpecificV8Snapshot: boolean;
  /** Extra privileges for file:// pages: we serve from app://, so none. */
  grantFileProtocolExtraPrivileges: boolean;
}

export const ELECTRON_FUSES: Readonly<FuseOptionsV1> = Object.freeze({
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
});
