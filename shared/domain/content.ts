import { z } from 'zod';

/** A piece of text given to the sandbox: inline, or by a presigned URL with its exact size. */
export type Content = { text: string } | { url: string; bytes: number };

export const contentSchema = z.union([
  z.object({ text: z.string() }).strict(),
  z.object({ url: z.string().url(), bytes: z.number().int().min(0) }).strict(),
]);
