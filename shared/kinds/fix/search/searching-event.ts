/** The repair search's name as a candidate source and as the provider of its progress events. */
export const SEARCH_SOURCE = 'repair-search';

/** A `searching` progress event: the search starting, or how far its batches got. */
export function searchingEvent(sessionId: string, round: number, message: string) {
  return {
    type: 'progress' as const,
    sessionId,
    stage: 'searching' as const,
    round,
    provider: SEARCH_SOURCE,
    message,
  };
}
