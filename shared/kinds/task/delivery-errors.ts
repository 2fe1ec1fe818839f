/**
 * The errors a task round's delivery throws to its state machine. Each `name` is the `Error` a
 * state's Retry or Catch matches, so the names are part of the ASL's contract.
 */

/** The evaluator answered something other than 200 (or nothing), and a retry still fits the deadline. */
export class EvaluatorNotAcceptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluatorNotAccepted';
  }
}

/** The evaluator never accepted, and the next retry would land past the round's deadline. */
export class NotifyDeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyDeadlinePassed';
  }
}

/** A revise cannot start: its previous round is missing, published nothing, or ran past the deadline. */
export class PreviousRoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreviousRoundUnusable';
  }
}
