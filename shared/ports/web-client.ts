/** What a server answered: its status and body. */
export interface WebResponse {
  status: number;
  body: Buffer;
}

/**
 * Port: plain HTTP to the world outside the deployment (the evaluator, a published site). Both
 * methods throw only when no answer came (refused, timed out); any status is an answer.
 */
export interface WebClient {
  /** A GET as a visitor makes it: no credentials, redirects followed. */
  get(url: string, timeoutMs: number): Promise<WebResponse>;
  /** A POST of `body` as JSON (`Content-Type: application/json`). */
  postJson(url: string, body: unknown, timeoutMs: number): Promise<WebResponse>;
}
