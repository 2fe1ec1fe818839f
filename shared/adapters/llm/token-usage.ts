export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** What one successful attempt yields: the value and what it cost. */
export interface AttemptResult<T> {
  value: T;
  usage?: TokenUsage;
}
