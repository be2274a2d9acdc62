import type { ts } from '#typescript';
import type { FileContext } from '../analysis/file-context.js';
import { objectView } from '../analysis/values.js';
import type { SecretSite } from './model.js';

/** Makes the secret sites for one value a library takes as its key (a model may refine the value first). */
export type SecretSiteMaker = (model: string, label: string, value: ts.Expression, file: FileContext) => SecretSite[];

/** The value as it is. */
export const plainSecretSite: SecretSiteMaker = (model, label, value, file) => [
  { model, label, value: { node: value, file } },
];

/** A list of keys (Keygrip's), never a single string. */
export const keyListSecretSite: SecretSiteMaker = (model, label, value, file) => [
  { model, label, value: { node: value, file }, keyList: true },
];

/** A secret site per option of `names` the options object sets (`{ secret }`, `{ secretOrKey }`, `{ keys }`). */
export function optionSecretSites(
  model: string,
  options: ts.Expression | undefined,
  names: readonly string[],
  file: FileContext,
  site: SecretSiteMaker = plainSecretSite,
): SecretSite[] | undefined {
  const view = options && objectView(options, file);
  if (!view) return undefined;
  const sites = names.flatMap((name) => {
    const property = view.properties.get(name);
    if (!property?.value) return [];
    const sites = site(model, name, property.value, property.file);
    return property.overridable
      ? sites.map((found) => ({ ...found, value: { ...found.value, overridable: true } }))
      : sites;
  });
  return sites.length > 0 ? sites : undefined;
}
