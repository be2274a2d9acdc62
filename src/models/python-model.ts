/**
 * A Python framework model: declarative knowledge of what a package's APIs mean, named after its PyPI
 * package. Python rules read these tables instead of naming framework APIs themselves; the engine
 * uses `keywords` for the byte-level pre-filter of `.py` files, as it does for the npm models.
 */
export interface PythonModel {
  /** The PyPI package name, e.g. `django`. */
  id: string;
  /** Distribution names that declare the package (normalised, PEP 503). */
  packages: string[];
  /** Words whose absence from a file proves the model has nothing to say about it (lower-case). */
  keywords: string[];
  /**
   * Paths (relative, POSIX) that matter whatever words the file holds: what such a file leaves out is
   * the finding (a production settings module that never names a session setting).
   */
  relevantPaths?: RegExp;
}
