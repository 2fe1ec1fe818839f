/** The request never got an HTTP answer (refused, reset, DNS). Worth a retry. */
export class ProviderConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProviderConnectionError';
  }
}
