import type { BridgeMethodName, IPC_EVENT_CHANNEL, IPC_SUBSCRIBE_CHANNEL } from '../shared/bridge';

/**
 * The bridge's method names and channels as plain constants, for the preload.
 * The preload runs in a sandbox where every byte is parsed per window, and the
 * shared contract (`src/shared/bridge.ts`) carries zod and every schema with
 * it. The preload validates nothing: it forwards each call's input and hands
 * answers (envelopes) and events to the page as the main process sent them,
 * after the main process's host adapter checked them. The compiler
 * checks below keep this list equal to `BRIDGE_METHODS` in both directions,
 * and tests/electron/preload.test.ts checks the channel names against
 * `ipcChannel()`, so a method cannot exist on one side only.
 */

export const METHOD_NAMES = [
  'getSnapshot',
  'signIn',
  'getServerPreset',
  'listDemoAccounts',
  'signInDemo',
  'signOut',
  'loadBoard',
  'listConsultations',
  'listNotifications',
  'markNotificationRead',
  'markAllNotificationsRead',
  'deleteNotification',
  'openNotification',
  'openExternal',
  'listConversations',
  'loadMessages',
  'sendMessage',
  'markConversationRead',
  'setTyping',
  'staffAction',
  'undoStaffAction',
  'reconnect',
  'getDiagnostics',
  'diagnosticsReport',
  'runChecks',
  'getSettings',
  'updateSettings',
  'getUpdateStatus',
  'checkForUpdates',
  'installUpdate',
  'log',
] as const satisfies readonly BridgeMethodName[];

// Every method of the contract is listed (the `satisfies` above checks the other direction).
type Unlisted = Exclude<BridgeMethodName, (typeof METHOD_NAMES)[number]>;
const everyMethodListed: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
void everyMethodListed;

export const methodChannel = (name: BridgeMethodName): `clinic:${BridgeMethodName}` => `clinic:${name}`;
export const EVENT_CHANNEL: typeof IPC_EVENT_CHANNEL = 'clinic:event';
export const SUBSCRIBE_CHANNEL: typeof IPC_SUBSCRIBE_CHANNEL = 'clinic:subscribe';
