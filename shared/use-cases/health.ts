/** What GET /health reports: liveness, and which capabilities this deployment has (never any secret). */
export function describeHealth(env: Record<string, string | undefined>): {
  status: 'ok';
  providers: Record<string, boolean>;
  sandbox: string;
} {
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  return {
    status: 'ok',
    providers: {
      gemini: has('GEMINI_API_KEY'),
      groq: has('GROQ_API_KEY'),
      deepseek: has('DEEPSEEK_API_KEY'),
      offline: true,
    },
    sandbox: env.SANDBOX_CONTAINMENT ?? 'unknown',
  };
}
