import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';

/** The parts a composition root started, closed in reverse order of start. */
export class Closers {
  private readonly parts: { readonly name: string; readonly close: () => Promise<void> | void }[] = [];

  constructor(private readonly log: Pick<Logger, 'warn'>) {}

  push(name: string, close: () => Promise<void> | void): void {
    this.parts.push({ name, close });
  }

  /** Closes everything pushed so far, newest first; one failing part does not stop the others. */
  async closeAll(): Promise<void> {
    for (const part of this.parts.splice(0).reverse()) {
      try {
        await part.close();
      } catch (err) {
        this.log.warn({ event: 'daemon.close-failed', part: part.name, err: errorMessage(err) }, `closing ${part.name} failed`);
      }
    }
  }
}
