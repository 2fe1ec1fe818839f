import type { PagesStatus, PagesStatusQuery, Publication, Publisher, PublishRequest } from './publisher.js';
import { assertNoSecrets, type DeploymentKey } from './secret-scan.js';

/**
 * A publisher that scans before it pushes: whichever adapter is wired behind it, a site (or a
 * description) holding a secret is refused with a SecretFoundError and nothing reaches a repository.
 */
export function scanBeforePublish(publisher: Publisher, keys: readonly DeploymentKey[]): Publisher {
  return {
    async publish(request: PublishRequest): Promise<Publication> {
      const description = { path: '(repository description)', content: Buffer.from(request.description) };
      await assertNoSecrets([...request.files, description], keys);
      return publisher.publish(request);
    },
    pagesStatus(query: PagesStatusQuery): Promise<PagesStatus> {
      return publisher.pagesStatus(query);
    },
  };
}
