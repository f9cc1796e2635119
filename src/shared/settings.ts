import { z } from 'zod';
import { IsoDateTime } from './time';

/**
 * What a user can change in Settings. Admin policy (docs/admin-guide.md) may
 * set any of these and lock it; locked keys are listed in `SettingsView.locked`
 * and the UI shows them read-only.
 */
// The descriptions reach admins through the policy's JSON Schema (docs/policy.schema.json).
export const AlertSettings = z
  .object({
    notifications: z.boolean().meta({ description: 'A desktop alert for new notifications.' }),
    appointments: z.boolean().meta({ description: 'A desktop alert when an appointment changes.' }),
    consultations: z.boolean().meta({ description: 'A desktop alert when a consultation changes.' }),
    messages: z.boolean().meta({ description: 'A desktop alert for new messages.' }),
    /** Flash the taskbar / bounce the dock for urgent notifications. */
    flashUrgent: z.boolean().meta({ description: 'Flash the taskbar (bounce the dock) for urgent notifications.' }),
  })
  .meta({ description: 'Which events show a desktop alert.' });

export const THEMES = ['system', 'light', 'dark'] as const;

export const Settings = z.object({
  alerts: AlertSettings,
  /** Do Not Disturb until this time; null when off. */
  dndUntil: IsoDateTime.nullable().meta({ description: 'Do Not Disturb until this time (ISO 8601, e.g. 2026-11-26T18:00:00Z); null: off.' }),
  /** Patient data: OS alerts show only "New message" when set. */
  hideMessageText: z.boolean().meta({ description: 'Alerts say only "New message", so patient details do not show on screen.' }),
  silenceWhenFocused: z.boolean().meta({ description: 'No alerts while Clinic Desk is the active window.' }),
  pollingIntervalSec: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .meta({ description: 'How often to ask the server for news while the live connection is down, in seconds (default 30).' }),
  reconcileIntervalSec: z
    .number()
    .int()
    .min(15)
    .max(3600)
    .meta({ description: 'While live, how often to compare the desk with the server over REST, in case a broadcast was missed (default 60 seconds; cheap conditional requests).' }),
  startAtLogin: z.boolean().meta({ description: 'Start Clinic Desk when the user logs in (installed app only).' }),
  startMinimised: z.boolean().meta({ description: 'Start in the tray, without showing the window.' }),
  closeToTray: z.boolean().meta({ description: 'Closing the window keeps Clinic Desk running in the tray, so alerts still arrive (default true).' }),
  theme: z.enum(THEMES).meta({ description: '"system" (default), "light" or "dark".' }),
});
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;

export const SETTING_KEYS = Settings.keyof();

export const DEFAULT_SETTINGS: Settings = {
  alerts: { notifications: true, appointments: true, consultations: true, messages: true, flashUrgent: false },
  dndUntil: null,
  hideMessageText: true,
  silenceWhenFocused: false,
  pollingIntervalSec: 30,
  reconcileIntervalSec: 60,
  startAtLogin: false,
  startMinimised: false,
  closeToTray: true,
  theme: 'system',
};

/**
 * A partial update from the Settings screen; `alerts` may itself be partial.
 * Strict at every level (the admin policy uses it too), so a misspelt alert
 * type is an error rather than a setting silently not applied.
 */
export const SettingsPatch = Settings.omit({ alerts: true })
  .partial()
  .extend({ alerts: AlertSettings.partial().strict().optional() })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** Where the machine's admin policy came from, and why it was not applied. */
export const ManagedInfo = z.object({
  /** The policy's sources ("/etc/clinic-desk/policy.json", "registry HKLM\Software\Policies\ClinicDesk"); empty: no policy. */
  sources: z.array(z.string().max(2048)).max(20),
  /** Non-empty: the policy was not applied at all (each line: where, what, and the fix); the desk runs on its defaults. */
  problems: z.array(z.string().max(2000)).max(200),
});
export type ManagedInfo = z.infer<typeof ManagedInfo>;

export const SettingsView = z.object({
  values: Settings,
  locked: z.array(SETTING_KEYS),
  /** Absent where no admin policy is read (the CLI, the browser preview). */
  managed: ManagedInfo.optional(),
});
export type SettingsView = z.infer<typeof SettingsView>;
