/**
 * The SDKs add headers from the environment on their own (`OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`,
 * `OPENAI_CUSTOM_HEADERS`, `GROQ_CUSTOM_HEADERS`). Nothing from our environment may reach a model
 * provider, so every outgoing request keeps only the headers the APIs need.
 */
const ALLOWED =
  /^(accept|accept-encoding|content-type|content-length|user-agent|authorization|x-goog-api-key|x-goog-api-client|x-stainless-[a-z0-9-]+)$/i;

export function withHeaderAllowlist(base: typeof fetch): typeof fetch {
  return (input, init) => {
    const source = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const kept = new Headers();
    source.forEach((value, name) => {
      if (ALLOWED.test(name)) kept.set(name, value);
    });
    return base(input, { ...init, headers: kept });
  };
}
