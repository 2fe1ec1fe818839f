import type { SessionEvent } from '../../shared/domain/events.js';
import type { PushChannel } from '../../shared/ports/push-channel.js';

/** A push channel that keeps what a subscriber would receive. */
export class RecordingPush implements PushChannel {
  readonly sent: SessionEvent[] = [];
  async send(_connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'> {
    this.sent.push(event);
    return 'sent';
  }
}
