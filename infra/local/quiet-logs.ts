// The demo shows the CLI's view of a session; the engine's own JSON logs stay quiet unless asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
