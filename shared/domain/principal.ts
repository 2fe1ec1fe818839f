/** Who is calling, as the authorizer proved it: a user, by a signed token or by one of their API keys. */
export interface Principal {
  /** The issuer's subject (`sub`): stable for the user, whatever name or address they change to. */
  userId: string;
  via: 'token' | 'key';
  name?: string;
  email?: string;
}

/** The principal the evaluator's secret stands for: it owns the task rounds it asks for. */
export const EVALUATOR_USER = 'evaluator';
