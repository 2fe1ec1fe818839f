/*
 * Process-wide settings the local stack needs before any other module loads (the logger reads its
 * level when it is built, the SDK decides its context store on first use). Import this first.
 */

// Lambda's multi-concurrency runtime gives each invocation its own context; the local stack runs
// many invocations in one process, so it asks for the same.
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
// Versions are pinned here, so the SDK's notice about future releases needing Node 22 is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
