/** Key layout of the one table (see README: data model). */
export const sessionPk = (sessionId: string) => `SESSION#${sessionId}`;
export const META_SK = 'META';
export const HARNESS_SK = 'HARNESS';
export const candidateSk = (index: number) => `CANDIDATE#${String(index).padStart(4, '0')}`;
/** Facts about the deployment itself, such as the sandbox's measured containment. */
export const DEPLOYMENT_PK = 'DEPLOYMENT';
/** The Python runner's containment keeps its original key; the browser's has its own. */
export const sandboxSk = (runner: 'python' | 'browser') =>
  runner === 'python' ? 'SANDBOX' : 'BROWSER_SANDBOX';
/** A client's idempotency key, hashed so any allowed key makes a short, uniform partition key. */
export const idempotencyPk = (keyHash: string) => `IDEMPOTENCY#${keyHash}`;
/** An evaluator task's rounds, each pointing at the session that builds it. */
export const taskPk = (task: string) => `TASK#${task}`;
export const taskRoundSk = (round: number) => `ROUND#${String(round).padStart(4, '0')}`;
/** Refused credentials per source (hashed) and window, for the rate limit. */
export const authFailurePk = (sourceHash: string) => `AUTHFAIL#${sourceHash}`;
export const authWindowSk = (windowStart: number) => `WINDOW#${windowStart}`;
/** GSI1 lists every session newest first. */
export const SESSIONS_GSI1PK = 'SESSIONS';
/** GSI2 lists a user's sessions newest first; the sort key breaks ties between equal times by id. */
export const ownerGsi2pk = (userId: string) => `OWNER#${userId}`;
export const ownerGsi2sk = (createdAt: string, sessionId: string) => `${createdAt}#${sessionId}`;
/** A user: their profile (an allowance of their own) and one counter item per UTC day. */
export const userPk = (userId: string) => `USER#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const usageSk = (day: string) => `USAGE#${day}`;
/** An API key's listing under its user, and its lookup item by hash (what a request presents). */
export const apiKeySk = (keyId: string) => `KEY#${keyId}`;
export const apiKeyPk = (hash: string) => `APIKEY#${hash}`;
/** A share link's token, pointing at the session it shows. */
export const sharePk = (token: string) => `SHARE#${token}`;
/** A WebSocket connection and the user its `$connect` proved. */
export const connectionPk = (connectionId: string) => `CONN#${connectionId}`;

/** An uploaded dataset (the transform kind's input). */
export const datasetPk = (datasetId: string) => `DATASET#${datasetId}`;
/** A file on its way in by presigned upload, and who asked to send it. */
export const uploadPk = (uploadId: string) => `UPLOAD#${uploadId}`;

/** Artifact keys: everything a session keeps lives under its own prefix (the sandbox may read only `sessions/*`). */
export const artifactKeys = {
  problem: (sessionId: string) => `sessions/${sessionId}/problem.json`,
  harness: (sessionId: string) => `sessions/${sessionId}/reproduce_issue.py`,
  code: (sessionId: string, index: number) => `sessions/${sessionId}/candidates/${index}.py`,
  diff: (sessionId: string, index: number) => `sessions/${sessionId}/candidates/${index}.diff`,
  /** The run's capped stdout and stderr, as JSON. */
  outputs: (sessionId: string, index: number) => `sessions/${sessionId}/outputs/${index}.json`,
  /** A named piece of the session's kind (e.g. `checks.json`, `sites/3.json`). */
  named: (sessionId: string, name: string) => `sessions/${sessionId}/${name}`,
  /** A run's full logs as JSON `{stdout, stderr}`, uploaded by the sandbox through a presigned form. */
  logs: (sessionId: string, index: number) => `sessions/${sessionId}/logs/${index}.json`,
  /** A dataset's typed table; outside `sessions/`, so no sandbox can be handed it but as a job's copy. */
  dataset: (datasetId: string) => `datasets/${datasetId}/table.json`,
  /** A file sent by presigned upload, as its bytes; outside `sessions/` too. */
  upload: (uploadId: string) => `uploads/${uploadId}`,
};
