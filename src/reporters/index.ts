export { type JsonReport, renderJson, toJsonReport } from './json.js';
export { pathToUri, renderSarif, type SarifOptions, toSarifLog } from './sarif.js';
export { renderText, type TextOptions } from './text.js';
