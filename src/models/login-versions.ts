import { compareVersions, parseVersion, type Version } from '../analysis/semver.js';
import type { FileContext } from '../analysis/file-context.js';
import type { DependencyUpgrade, LoginVerdict } from './session-lifecycle.js';

export interface LoginAdvisory {
  library: string;
  advisory: string;
  affected: string;
  /** True when this version rotates the session id at login. */
  rotates(version: Version): boolean;
  /** The range to raise the dependency to, from the installed version. */
  upgradeRange(version: Version | undefined): string;
  /** What changes for the application with the upgrade. */
  upgradeNote: string;
}

/**
 * Decides from the installed version (lockfile first, else the lowest version the package.json range
 * admits) whether a login library rotates the session id, with a package.json edit when it does not.
 */
export function loginVerdict(file: FileContext, advisory: LoginAdvisory): LoginVerdict {
  const dependency = file.versionOf(advisory.library);
  const base = {
    library: advisory.library,
    advisory: advisory.advisory,
    affected: advisory.affected,
    versionSource: dependency.source,
  };
  const parsed = dependency.version ? parseVersion(dependency.version) : undefined;
  if (!parsed) {
    return {
      ...base,
      rotates: undefined,
      reason: dependency.reason ?? 'no version found',
      upgrade: upgradeOf(file, advisory, undefined),
    };
  }
  const rotates = advisory.rotates(parsed);
  const manifestName = dependency.manifestElsewhere ?? 'package.json';
  const versionEvidence =
    dependency.source === 'lockfile' && dependency.lockfile
      ? `from ${dependency.lockfile.split(/[\\/]/).pop()}${dependency.manifestElsewhere ? ` beside ${manifestName}` : ''}`
      : `the lowest version "${dependency.range}" in ${manifestName} allows`;
  return {
    ...base,
    rotates,
    versionEvidence,
    version: dependency.version,
    upgrade: rotates ? undefined : upgradeOf(file, advisory, parsed),
  };
}

function upgradeOf(
  file: FileContext,
  advisory: LoginAdvisory,
  version: Version | undefined,
): DependencyUpgrade | undefined {
  const manifest = file.versionOf(advisory.library).manifest;
  if (!manifest) return undefined;
  const escaped = advisory.library.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`"${escaped}"\\s*:\\s*"([^"\\\\]*)"`).exec(manifest.text);
  if (!match) return undefined;
  const end = match.index + match[0].length - 1;
  return {
    manifestPath: manifest.absPath,
    packageName: advisory.library,
    range: advisory.upgradeRange(version),
    start: end - match[1].length,
    end,
    note: advisory.upgradeNote,
  };
}

export function atLeast(version: Version, minimum: Version): boolean {
  return compareVersions(version, minimum) >= 0;
}
