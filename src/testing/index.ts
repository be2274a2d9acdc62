/** The fixture-marker checker, exported so users can test their own rules the way fixate tests its own. */
export { checkMarkers, type Marker, type MarkerKind, parseMarkers, runFixtureDirectory } from './fixtures.js';
