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
