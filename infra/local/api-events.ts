import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

/*
 * The event shapes API Gateway sends, built from local requests, so the handlers cannot tell the
 * local gateway from the real one.
 */

export function httpApiEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer | undefined,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // As API Gateway does: a text body as it came, anything else (a multipart upload) base64-encoded.
    ...(body === undefined
      ? {}
      : { body: isText(headers['content-type']) ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body !== undefined && !isText(headers['content-type']),
  };
}

/** The content types API Gateway passes as text; every other body reaches the function in base64. */
function isText(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/xml' ||
    type === 'application/javascript' ||
    type === ''
  );
}

export function webSocketEvent(
  kind: 'CONNECT' | 'DISCONNECT' | 'MESSAGE',
  connectionId: string,
  stage: string,
  domainName: string,
  body?: string,
): APIGatewayProxyWebsocketEventV2 {
  const now = Date.now();
  const routeKey = kind === 'CONNECT' ? '$connect' : kind === 'DISCONNECT' ? '$disconnect' : '$default';
  return {
    requestContext: {
      routeKey,
      messageId: kind === 'MESSAGE' ? randomUUID() : undefined,
      eventType: kind,
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN',
      stage,
      connectedAt: now,
      requestTimeEpoch: now,
      requestId: randomUUID(),
      domainName,
      connectionId,
      apiId: 'local',
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  } as APIGatewayProxyWebsocketEventV2;
}
