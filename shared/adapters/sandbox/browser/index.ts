export {
  BROWSER_LEVEL_LAYERS,
  type BrowserContainmentLevel,
  browserLevelFor,
} from './browser-containment.js';
export { type BrowserRunnerOptions, createBrowserRunner } from './create-browser-runner.js';
