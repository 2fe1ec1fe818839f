// Placeholder until the handler is wired; replaced by the real thin handler.
export const handler = async (): Promise<never> => {
  throw new Error('not wired yet');
};
