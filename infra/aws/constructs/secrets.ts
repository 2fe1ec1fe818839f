import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The keys the LLM adapters look for; an empty value means "provider not configured". */
export const LLM_KEY_NAMES = ['GEMINI_API_KEY', 'GROQ_API_KEY', 'DEEPSEEK_API_KEY'] as const;

export interface LlmSecretsProps {
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The LLM provider keys, one JSON secret. The stack creates it with empty values and the operator
 * fills it (`aws secretsmanager put-secret-value`); CloudFormation leaves the value alone as long as
 * the template's initial value does not change, so do not change it.
 */
export class LlmSecrets extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: LlmSecretsProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'Truth Engine LLM provider keys (JSON); empty values are filled by the operator.',
      secretObjectValue: Object.fromEntries(
        LLM_KEY_NAMES.map((name) => [name, SecretValue.unsafePlainText('')]),
      ),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  /** Sets `LLM_SECRET_ARN` and grants read in one call. */
  bindReader(fn: LambdaFunction): void {
    fn.addEnvironment('LLM_SECRET_ARN', this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}

export interface TaskSecretProps {
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The secret an evaluator sends with every task (`POST /v1/tasks`), compared in constant time by the
 * HTTP API. It starts as a random plain string rather than an empty one: the HTTP API reads it at
 * cold start and refuses an empty secret, which would take the fix routes down with the task route;
 * and a random value accepts no task until the operator puts the value given to the evaluator
 * (plain, or JSON with a `TASK_SECRET` field). CloudFormation generates it once and leaves it alone
 * as long as the generator settings below do not change, so do not change them.
 */
export class TaskSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: TaskSecretProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description:
        'Truth Engine task secret: the value evaluators send in POST /v1/tasks; set by the operator.',
      // Letters and digits only, so the value can be pasted into a shell or a form as is.
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  /** Sets `TASK_SECRET_ARN` and grants read in one call. */
  bindReader(fn: LambdaFunction): void {
    fn.addEnvironment('TASK_SECRET_ARN', this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}

export interface GitHubTokenProps {
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The token task rounds publish with (a fine-grained token, or a classic one with `repo`, for the
 * account that owns the sites' repositories): JSON `{"GITHUB_TOKEN": "…"}`, created empty for the
 * operator to fill. It is read when a round first publishes, not at cold start, so until it is set
 * every round ends `failed` saying the token is missing, and nothing else of the stack is held up.
 */
export class GitHubToken extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: GitHubTokenProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description:
        'Truth Engine GitHub token (JSON GITHUB_TOKEN) for publishing task sites; set by the operator.',
      secretObjectValue: { GITHUB_TOKEN: SecretValue.unsafePlainText('') },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  /** Sets `GITHUB_TOKEN_SECRET_ARN` and grants read in one call. */
  bindReader(fn: LambdaFunction): void {
    fn.addEnvironment('GITHUB_TOKEN_SECRET_ARN', this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}
