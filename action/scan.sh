#!/usr/bin/env bash
# The fixate action's scan step (action.yml). Inputs come as INPUT_* variables, never spliced into
# the script, so a path or an argument cannot inject shell code. Runs the published package with
# npx (no build), writes SARIF, the finding counts to $GITHUB_OUTPUT and a table to
# $GITHUB_STEP_SUMMARY, and exits with fixate's own exit code.
set -uo pipefail

version="${INPUT_VERSION:-}"
if [ -z "$version" ]; then
  # The action's own checkout is at the tag the workflow named, so its package.json is that release.
  version="$(node -p 'require(process.argv[1]).version' "$FIXATE_ACTION_PATH/package.json")"
fi

read -r -a paths <<<"${INPUT_PATHS:-.}"
[ "${#paths[@]}" -eq 0 ] && paths=(.)
sarif="${INPUT_SARIF_FILE:-fixate.sarif}"
category="${INPUT_CATEGORY:-}"
[ -z "$category" ] && category="${FIXATE_JOB:-fixate}/${paths[*]}"
annotations="${INPUT_ANNOTATIONS:-}"
if [ -z "$annotations" ]; then
  if [ "${INPUT_UPLOAD:-true}" = "true" ]; then annotations=false; else annotations=true; fi
fi

args=("${paths[@]}" --sarif-output "$sarif" --sarif-category "$category" --fail-on "${INPUT_FAIL_ON:-error}" --no-color)
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
# Annotations are workflow commands on stdout; otherwise the readable report goes to the log.
[ "$annotations" = "true" ] && args+=(--format github)
read -r -a extra <<<"${INPUT_ARGS:-}"
args+=("${extra[@]}")

echo "fixate@$version ${args[*]}" >&2
npx --yes "fixate@$version" "${args[@]}"
code=$?

{
  echo "category=$category"
  if [ -f "$sarif" ]; then echo "sarif-file=$sarif"; fi
} >>"$GITHUB_OUTPUT"
if [ -f "$sarif" ]; then
  node "$FIXATE_ACTION_PATH/action/summary.mjs" "$sarif" "$GITHUB_OUTPUT" "$GITHUB_STEP_SUMMARY"
fi
exit "$code"
