import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AppConfig, required } from '../config/app-config.js';
import type { DatasetStore } from '../kinds/transform/dataset-store.js';
import type { ArtifactStore } from '../ports/artifact-store.js';
import type { PushChannel } from '../ports/push-channel.js';
import type { SessionStore } from '../ports/session-store.js';
import type { UserStore } from '../ports/user-store.js';
import type { WorkflowStarter } from '../ports/workflow-starter.js';
import { FileArtifactStore } from './artifacts/file-artifact-store.js';
import { S3ArtifactStore } from './artifacts/s3-artifact-store.js';
import { DynamoDbDatasetStore } from './dynamodb/dynamodb-dataset-store.js';
import { DynamoDbSessionStore } from './dynamodb/dynamodb-session-store.js';
import { DynamoDbUserStore } from './dynamodb/dynamodb-user-store.js';
import { ApiGatewayPushChannel } from './push/api-gateway-push-channel.js';
import { StepFunctionsStarter } from './workflow/step-functions-starter.js';

/*
 * Builders for the adapters every function needs, from config read once at cold start. Only the
 * endpoints differ between AWS and the local stack; the clients and commands are the same.
 */

export function createArtifactStore(config: AppConfig): ArtifactStore {
  if (config.ARTIFACT_DIR) {
    return new FileArtifactStore(config.ARTIFACT_DIR, {
      ttlMs: config.ARTIFACT_TTL_DAYS * 24 * 60 * 60 * 1000,
      ...(config.ARTIFACT_URL ? { baseUrl: config.ARTIFACT_URL } : {}),
      ...(config.ARTIFACT_SIGNING_KEY ? { signingKey: config.ARTIFACT_SIGNING_KEY } : {}),
    });
  }
  return new S3ArtifactStore(
    new S3Client({ region: config.AWS_REGION }),
    required(config, 'ARTIFACT_BUCKET'),
  );
}

/** What reaching the table takes: its name, the region, and locally dynalite's endpoint. */
export type TableConfig = Pick<AppConfig, 'TABLE_NAME' | 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>;

function documentClient(config: TableConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function createSessionStore(config: AppConfig): SessionStore {
  return new DynamoDbSessionStore(documentClient(config), config.TABLE_NAME, createArtifactStore(config));
}

export function createUserStore(config: TableConfig): UserStore {
  return new DynamoDbUserStore(documentClient(config), config.TABLE_NAME);
}

export function createPushChannel(config: AppConfig): PushChannel {
  const client = new ApiGatewayManagementApiClient({
    region: config.AWS_REGION,
    endpoint: required(config, 'WS_CALLBACK_URL'),
  });
  return new ApiGatewayPushChannel(client);
}

export function createWorkflowStarter(config: AppConfig): WorkflowStarter {
  const client = new SFNClient({
    region: config.AWS_REGION,
    ...(config.SFN_ENDPOINT ? { endpoint: config.SFN_ENDPOINT } : {}),
  });
  return new StepFunctionsStarter(client, {
    fix: required(config, 'STATE_MACHINE_ARN'),
    ...(config.TASK_STATE_MACHINE_ARN ? { task: config.TASK_STATE_MACHINE_ARN } : {}),
    ...(config.TRANSFORM_STATE_MACHINE_ARN ? { transform: config.TRANSFORM_STATE_MACHINE_ARN } : {}),
  });
}

export function createDatasetStore(config: AppConfig): DatasetStore {
  return new DynamoDbDatasetStore(
    documentClient(config),
    required(config, 'TABLE_NAME'),
    createArtifactStore(config),
  );
}
