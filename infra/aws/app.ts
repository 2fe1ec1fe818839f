import { App } from 'aws-cdk-lib';
import { readConfig } from './config.js';
import { TruthEngineStack } from './truth-engine-stack.js';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new TruthEngineStack(app, 'TruthEngine', {
  description: 'Truth Engine: problems in, verified code out.',
  // Only what the CLI resolved: without credentials the stack stays account-agnostic and synth needs none.
  env: account || region ? { account, region } : undefined,
  config: readConfig(app.node),
});
