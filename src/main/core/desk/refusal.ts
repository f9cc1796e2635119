/**
 * The desk declines a call for a reason staff can act on ("Not signed in.",
 * "Updates are off: ..."). Its message is written for them and reaches the
 * window as is (kind `unavailable`); any other plain `Error` is a bug, and
 * the host adapter answers it with a generic message.
 */
export class DeskRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeskRefusal';
  }
}
