import type { BridgeErrorKind } from '../../../shared/bridge';

/**
 * The desk declines a call for a reason staff can act on ("Not signed in.",
 * "Updates are off: ..."), or passes on the clinic server's own refusal of an
 * action ("Already checked in by Elena Ruiz at 09:02.", kind `conflict`). Its
 * message is written for them and reaches the window as is (kind
 * `unavailable` unless given); any other plain `Error` is a bug, and the host
 * adapter answers it with a generic message.
 */
export class DeskRefusal extends Error {
  constructor(
    message: string,
    readonly kind: BridgeErrorKind = 'unavailable',
  ) {
    super(message);
    this.name = 'DeskRefusal';
  }
}
