import type { SessionEvent } from '../domain/events.js';

/** Port: delivers an event to one WebSocket connection. `gone` means the connection no longer exists. */
export interface PushChannel {
  send(connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'>;
}
