import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { SessionEvent } from '../../domain/events.js';
import type { PushChannel } from '../../ports/push-channel.js';

/** Pushes through the WebSocket API's management endpoint (the local stack serves the same endpoint). */
export class ApiGatewayPushChannel implements PushChannel {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, event: SessionEvent): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      throw error;
    }
  }
}
