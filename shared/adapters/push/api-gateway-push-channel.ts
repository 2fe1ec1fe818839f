import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { fitEvent, type SessionEvent } from '../../domain/events.js';
import { MAX_WS_MESSAGE_BYTES } from '../../domain/limits.js';
import type { PushChannel } from '../../ports/push-channel.js';

/** Pushes through the WebSocket API's management endpoint (the local stack serves the same endpoint). */
export class ApiGatewayPushChannel implements PushChannel {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          // API Gateway delivers at most a 32 KB frame; what does not fit is fetched by GET.
          Data: new TextEncoder().encode(JSON.stringify(fitEvent(event, MAX_WS_MESSAGE_BYTES))),
        }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      throw error;
    }
  }
}
