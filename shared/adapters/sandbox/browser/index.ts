export { BROWSER_LEVEL_LAYERS, type BrowserContainmentLevel } from './browser-containment.js';
export { type BrowserRunnerOptions, createBrowserRunner } from './playwright-browser-runner.js';
