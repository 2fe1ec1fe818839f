/** An evaluator task's name becomes a repository name: GitHub's own alphabet, at most 100 characters. */
export const TASK_NAME = /^[A-Za-z0-9._-]{1,100}$/;
