export { ANNOTATIONS_PER_LEVEL, escapeData, escapeProperty, renderGithub } from './github.js';
export { CONTENT_SECURITY_POLICY, escapeAttribute, escapeHtml, renderHtml } from './html.js';
export { type JsonReport, renderJson, toJsonReport } from './json.js';
export { pathToUri, renderSarif, type SarifOptions, toSarifLog } from './sarif.js';
export { renderText, type TextOptions } from './text.js';
