/** No interpreter could be found, or no containment level works on this host. */
export class SandboxUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxUnavailableError';
  }
}

/** A job the runner cannot accept as given (an unsafe file name, an entry that is not among the files). */
export class InvalidSandboxJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSandboxJobError';
  }
}
