import type { BrowserContext } from 'playwright-core';

/**
 * Refuses every request of a browser context that leaves the stack's origin (but for blob: and
 * data: URLs the page makes itself), so a page reaching elsewhere fails loudly instead of hanging.
 */
export async function confineToOrigin(context: BrowserContext, origin: string): Promise<void> {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:')
      ? route.continue()
      : route.abort();
  });
}
