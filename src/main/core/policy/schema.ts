import { z } from 'zod';
import { SettingsPatch } from '../../../shared/settings';
import { ApiProfile } from '../api/profile';
import { ApiUrl, CacheRetentionDays, ClinicPolicy, LinkHost, TransportConfig, UpdatePolicy } from '../config/schema';

/**
 * The admin policy file. Everything it sets is locked: settings it names are
 * read-only in the Settings screen (`locked`), other fields are reported in
 * `lockedFields`; `defaultSettings` are starting values the user may change.
 * Strict, so a misspelt option is an error rather than silently ignored. No
 * transforms, so a JSON Schema can be generated from it (docs/policy.schema.json).
 */
export const PolicyFile = z.strictObject({
  // The descriptions are for admins: they are what an editor shows from docs/policy.schema.json.
  $schema: z.string().max(2048).optional().meta({ description: 'The URL or path of this JSON Schema, so editors check the file.' }),
  apiUrl: ApiUrl.optional().meta({
    description: "The clinic's Laravel app, with http:// or https:// and without /api, e.g. https://clinic.example.org. Fills in and locks the server address on the sign-in screen.",
  }),
  transport: TransportConfig.optional().meta({
    description:
      'The socket server the back end broadcasts to: {"kind": "pusher", "key", "cluster"} for Pusher Channels, {"kind": "reverb", "key", "host", "port", "scheme", "path"} for a self-hosted Pusher-protocol server (Laravel Reverb, Soketi), or {"kind": "polling"} for none (the desk refreshes over the API).',
  }),
  settings: SettingsPatch.optional().meta({
    description: 'Settings set and locked: users see them as "Set by your administrator" and cannot change them. Naming "alerts" (even in part) locks the whole Alerts group.',
  }),
  defaultSettings: SettingsPatch.optional().meta({
    description: 'Starting values for the same settings, which users may change. Where "settings" names the same setting, the locked value applies.',
  }),
  cacheRetentionDays: CacheRetentionDays.optional().meta({ description: "How long notifications, read or unread, stay in the desk's local cache, in days from their creation (default 30)." }),
  allowedLinkHosts: z
    .array(LinkHost)
    .max(100)
    .optional()
    .meta({ description: "Hosts (with :port when not the standard one) a notification's link may open in the browser. Default: the API's host." }),
  allowInsecureTokenStorage: z.boolean().optional().meta({
    description:
      'true: where the OS has no secret store (Linux without a keyring), keep the sign-in token in a file only the user can read instead of asking to sign in at every start. Default false.',
  }),
  updates: UpdatePolicy.optional().meta({
    description: 'Where updates come from and on whose terms. Without "url" the desk never checks for updates.',
  }),
  api: ApiProfile.optional().meta({
    description:
      "The API profile: how the clinic's Laravel REST API differs from the desk's default (paths, action methods, query parameter names, page size, field mappings). Only what differs; see docs/backend-contract.md, \"API profile\".",
  }),
  clinic: ClinicPolicy.optional().meta({
    description: "Facts about the clinic the desk cannot always learn from its server.",
  }),
  allowEnvironmentOverrides: z.boolean().optional().meta({
    description:
      'true: the environment (CLINIC_DESK_API_URL, PUSHER_*, REVERB_*, BROADCAST_DRIVER) may replace the apiUrl and transport this policy sets, e.g. to try a desk against a staging server. Default false: what the policy sets stays.',
  }),
});
export type PolicyFile = z.infer<typeof PolicyFile>;
