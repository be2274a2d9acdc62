import {
  defineRule,
  insertFirstProperty,
  type ObjectView,
  replaceNode,
  type RuleContext,
  type SessionOptionsSite,
  staticValue,
  type ts,
} from '../../src/api.js';
import meta from './meta.js';

export default defineRule(meta, (ctx) => ({
  CallExpression(call: ts.CallExpression) {
    for (const model of ctx.file.models) {
      const site = model.sessionOptions?.(call, ctx.file);
      if (site) checkSite(ctx, site);
    }
  },
}));

function checkSite(ctx: RuleContext, site: SessionOptionsSite): void {
  const { secure: secureName, httpOnly: httpOnlyName, sameSite: sameSiteName } = site.flagNames;
  const library = site.model;
  const cookie = site.cookie;
  const secureProperty = cookie?.properties.get(secureName);
  const secureValue = secureProperty && staticValue(secureProperty.value, secureProperty.file);
  const data = { library, flag: secureName };
  const sameSiteProperty = cookie?.properties.get(sameSiteName);
  const sameSiteValue = sameSiteProperty && staticValue(sameSiteProperty.value, sameSiteProperty.file);
  const sameSiteNone = sameSiteValue?.kind === 'string' && sameSiteValue.value.toLowerCase() === 'none';

  if (secureProperty?.value) {
    if (secureValue?.kind === 'boolean' && !secureValue.value) {
      ctx.report({
        target: secureProperty.property,
        messageId: 'secureFalse',
        data,
        related: [{ target: site.call, message: `${library} is configured here` }],
        fixes: inCurrentFile(ctx, secureProperty.property)
          ? [
              {
                suggestionId: 'setSecureTrue',
                data: { flag: secureName },
                safety: 'unsafe',
                edits: [replaceNode(secureProperty.value, 'true')],
              },
            ]
          : [],
      });
    } else if (!secureValue && isRuntimeCondition(secureProperty.value)) {
      ctx.report({ target: secureProperty.property, messageId: 'secureConditional', data, severity: 'note' });
    }
  } else if (site.defaults.secure === 'insecure' && optionsFullyVisible(site) && !sameSiteNone) {
    // With SameSite=None the missing Secure flag is reported once, as the more specific problem below.
    const insertInto = cookie ?? site.options;
    ctx.report({
      target: cookie?.literal ?? site.options?.literal ?? site.call,
      messageId: 'secureMissing',
      data,
      related: [{ target: site.call, message: `${library} is configured here` }],
      fixes: insertInto && inCurrentFile(ctx, insertInto.literal) ? [addSecureFix(site, insertInto, secureName)] : [],
    });
  }

  const httpOnlyProperty = cookie?.properties.get(httpOnlyName);
  const httpOnlyValue = httpOnlyProperty && staticValue(httpOnlyProperty.value, httpOnlyProperty.file);
  if (httpOnlyProperty?.value && httpOnlyValue?.kind === 'boolean' && !httpOnlyValue.value) {
    ctx.report({
      target: httpOnlyProperty.property,
      messageId: 'httpOnlyFalse',
      data: { library, flag: httpOnlyName },
      fixes: inCurrentFile(ctx, httpOnlyProperty.property)
        ? [
            {
              suggestionId: 'setHttpOnlyTrue',
              data: { flag: httpOnlyName },
              edits: [replaceNode(httpOnlyProperty.value, 'true')],
            },
          ]
        : [],
    });
  }

  const secureIsOn =
    (secureValue?.kind === 'boolean' && secureValue.value) ||
    (secureValue?.kind === 'string' && secureValue.value === 'auto') ||
    (!secureProperty && site.defaults.secure === 'secure');
  // An explicit `secure: false` is already reported above; one finding per cookie is enough.
  const secureAlreadyReported = secureValue?.kind === 'boolean' && !secureValue.value;
  if (sameSiteProperty && sameSiteNone && !secureIsOn && !secureAlreadyReported) {
    ctx.report({
      target: sameSiteProperty.property,
      messageId: 'sameSiteNoneInsecure',
      data: { library, flag: secureName, sameSite: sameSiteName },
      fixes:
        cookie && inCurrentFile(ctx, cookie.literal) && !secureProperty ? [addSecureFix(site, cookie, secureName)] : [],
    });
  }
}

function addSecureFix(site: SessionOptionsSite, target: ObjectView, secureName: string) {
  const edit =
    target === site.cookie
      ? insertFirstProperty(target.literal, `${secureName}: true`)
      : insertFirstProperty(target.literal, `${site.cookieProperty ?? 'cookie'}: { ${secureName}: true }`);
  return { suggestionId: 'addSecure', data: { flag: secureName }, edits: [edit] };
}

/** Absence is evidence only when every spread of the options (and cookie object) could be seen. */
function optionsFullyVisible(site: SessionOptionsSite): boolean {
  if (!site.options?.complete) return false;
  if (site.cookieProperty === undefined) return true;
  const cookieProperty = site.options.properties.get(site.cookieProperty);
  if (!cookieProperty) return true;
  return site.cookie?.complete === true;
}

/** `secure: process.env.NODE_ENV === 'production'`, `secure: isProd`, `secure: config.https`… */
function isRuntimeCondition(value: ts.Expression | undefined): boolean {
  return value !== undefined;
}

function inCurrentFile(ctx: RuleContext, node: ts.Node): boolean {
  return node.getSourceFile() === ctx.file.sourceFile;
}
