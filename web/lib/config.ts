// Runtime configuration: /config.json → { apiUrl, wsUrl }. Empty apiUrl: same origin; empty wsUrl:
// ws(s)://<host>/ws from the page's location.

export interface ConsoleConfig {
  apiUrl: string;
  wsUrl: string;
}

let loaded: Promise<ConsoleConfig> | undefined;

export function resolveConfig(raw: Partial<ConsoleConfig>, location: Location): ConsoleConfig {
  const apiUrl = (raw.apiUrl ?? '').replace(/\/+$/, '');
  const wsUrl = raw.wsUrl
    ? raw.wsUrl
    : `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  return { apiUrl, wsUrl };
}

export function loadConfig(): Promise<ConsoleConfig> {
  loaded ??= fetch('/config.json', { cache: 'no-cache' })
    .then((response) => (response.ok ? (response.json() as Promise<Partial<ConsoleConfig>>) : {}))
    .catch(() => ({}))
    .then((raw) => resolveConfig(raw, window.location));
  return loaded;
}
