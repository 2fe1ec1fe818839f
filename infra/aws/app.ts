import { App } from 'aws-cdk-lib';
import { readConfig } from './config.js';
import { TruthEngineStack } from './truth-engine-stack.js';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new TruthEngineStack(app, 'TruthEngine', {
  description: 'Truth Engine: problems in, verified code out.',
  // Environment-agnostic unless the CLI resolved an account, so synth needs no credentials.
  env: account || region ? { account, region } : undefined,
  config: readConfig(app.node),
});
