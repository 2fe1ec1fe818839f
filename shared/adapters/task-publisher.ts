import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DeliveryConfig } from '../config/delivery-config.js';
import type {
  PagesStatus,
  PagesStatusQuery,
  Publication,
  Publisher,
  PublishRequest,
} from '../kinds/task/publisher.js';
import { scanBeforePublish } from '../kinds/task/scanned-publisher.js';
import type { DeploymentKey } from '../kinds/task/secret-scan.js';
import { createGitHubClient } from './github/github-client.js';
import { GitHubPublisher } from './github/github-publisher.js';
import { LocalGitPublisher } from './pages-local/local-git-publisher.js';
import { loadSecretString, loadTaskSecret } from './secrets/index.js';

export interface TaskPublisherSettings {
  delivery: DeliveryConfig;
  region: string;
  /** The deployment's other keys, by name (model keys, the task secret when set in the environment). */
  keys: readonly DeploymentKey[];
}

/**
 * The publisher the configuration names, behind the secret scan: GitHub when a token is set (or its
 * secret's ARN), else local git repositories served by the local stack. Secrets are read on first
 * use, not at cold start, so a deployment without a GitHub token still records every round's
 * failure to publish with that reason instead of failing every call of the function.
 */
export function createTaskPublisher(settings: TaskPublisherSettings): Publisher {
  let ready: Promise<Publisher> | undefined;
  const resolve = () => {
    ready ??= build(settings).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  return {
    async publish(request: PublishRequest): Promise<Publication> {
      return (await resolve()).publish(request);
    },
    async pagesStatus(query: PagesStatusQuery): Promise<PagesStatus> {
      return (await resolve()).pagesStatus(query);
    },
  };
}

async function build({ delivery, region, keys }: TaskPublisherSettings): Promise<Publisher> {
  const secrets =
    delivery.GITHUB_TOKEN_SECRET_ARN || delivery.TASK_SECRET_ARN
      ? new SecretsManagerClient({ region })
      : undefined;
  const token =
    delivery.GITHUB_TOKEN ??
    (delivery.GITHUB_TOKEN_SECRET_ARN && secrets
      ? await loadSecretString(delivery.GITHUB_TOKEN_SECRET_ARN, secrets, {
          name: 'the GitHub token',
          field: 'GITHUB_TOKEN',
        })
      : undefined);
  const taskSecret =
    delivery.TASK_SECRET_ARN && secrets ? await loadTaskSecret(delivery.TASK_SECRET_ARN, secrets) : undefined;
  const allKeys: DeploymentKey[] = [
    ...keys,
    ...(token ? [{ name: 'GITHUB_TOKEN', value: token }] : []),
    ...(taskSecret ? [{ name: 'TASK_SECRET', value: taskSecret }] : []),
  ];
  if (token) {
    const client = createGitHubClient({
      token,
      ...(delivery.GITHUB_API_URL ? { baseUrl: delivery.GITHUB_API_URL } : {}),
    });
    return scanBeforePublish(new GitHubPublisher(client), allKeys);
  }
  if (!delivery.PAGES_DIR || !delivery.PAGES_BASE_URL) {
    throw new Error(
      'no publisher is configured: set GITHUB_TOKEN (or its secret), or PAGES_DIR and PAGES_BASE_URL',
    );
  }
  return scanBeforePublish(
    new LocalGitPublisher({ rootDir: delivery.PAGES_DIR, pagesBaseUrl: delivery.PAGES_BASE_URL }),
    allKeys,
  );
}
