import type { AngleUnit, StepResult } from './calculation-types';
import { stepFailure } from './calculation-types';

const RADIANS_PER_DEGREE = Math.PI / 180;

// Exact values where the truth is exact: sin 30° is 0.5, not 0.49999999999999994.
const EXACT_SIN_BY_DEGREE = new Map<number, number>([
  [0, 0],
  [30, 0.5],
  [45, Math.SQRT1_2],
  [90, 1],
  [135, Math.SQRT1_2],
  [150, 0.5],
  [180, 0],
  [210, -0.5],
  [225, -Math.SQRT1_2],
  [270, -1],
  [315, -Math.SQRT1_2],
  [330, -0.5],
]);

const EXACT_TAN_BY_DEGREE = new Map<number, number>([
  [0, 0],
  [45, 1],
  [135, -1],
]);

/** Reduces an angle in degrees to [0, 360). */
function reduceDegrees(degrees: number): number {
  const reduced = degrees % 360;
  return reduced < 0 ? reduced + 360 : reduced;
}

// Special radian angles are looked for within ±100 turns; beyond that, a radian argument is the double it
// is, and only the radian value itself (not a conversion to degrees) keeps its digits.
const MAX_SPECIAL_MULTIPLE = 2_400;
const RADIANS_PER_MULTIPLE = Math.PI / 12;
// Relative, 4 to 8 ulps: Math.PI / 6, 3 * Math.PI / 2 and the like land within about two ulps of k·π/12.
const SPECIAL_TOLERANCE = 4 * Number.EPSILON;

/**
 * The angle in degrees, where that is exact: an angle in degrees as it is, and a radian value that is
 * (within a few ulps) the double nearest k·π/12 as k·15°, so sin(pi) is 0 and tan(pi/2) a domain error.
 * Any other radian value is undefined: it is evaluated on itself, since x·180/π rounds away the digits a
 * large argument's sine depends on.
 */
function exactDegrees(angle: number, unit: AngleUnit): number | undefined {
  if (unit === 'degrees') return angle;
  const multiple = Math.round(angle / RADIANS_PER_MULTIPLE);
  if (Math.abs(multiple) > MAX_SPECIAL_MULTIPLE) return undefined;
  const special = (multiple * Math.PI) / 12;
  return Math.abs(angle - special) <= SPECIAL_TOLERANCE * Math.abs(special) ? multiple * 15 : undefined;
}

function sineOfDegrees(degrees: number): number {
  const reduced = reduceDegrees(degrees);
  return EXACT_SIN_BY_DEGREE.get(reduced) ?? Math.sin(reduced * RADIANS_PER_DEGREE);
}

/** Sine of an angle in the given unit, exact at multiples of 30° and 45° (and of π/6 and π/4). */
export function sine(angle: number, unit: AngleUnit): number {
  const degrees = exactDegrees(angle, unit);
  return degrees === undefined ? Math.sin(angle) : sineOfDegrees(degrees);
}

/** Cosine of an angle in the given unit: sin(x + 90°), so exact at the same angles. */
export function cosine(angle: number, unit: AngleUnit): number {
  const degrees = exactDegrees(angle, unit);
  // Reduced before adding 90°: for a large angle, degrees + 90 would round back to degrees.
  return degrees === undefined ? Math.cos(angle) : sineOfDegrees(reduceDegrees(degrees) + 90);
}

/** Tangent of an angle in the given unit; 90° + k·180° (π/2 + k·π) is a DOMAIN_ERROR, not 1.6e16. */
export function tangent(angle: number, unit: AngleUnit): StepResult {
  const degrees = exactDegrees(angle, unit);
  if (degrees === undefined) return Math.tan(angle);
  const reduced = reduceDegrees(degrees) % 180;
  if (reduced === 90) {
    return stepFailure('DOMAIN_ERROR', `tan is undefined at ${angle} ${unit} (an odd multiple of 90°)`);
  }
  return EXACT_TAN_BY_DEGREE.get(reduced) ?? Math.tan(reduced * RADIANS_PER_DEGREE);
}

const EXACT_ASIN_DEGREES = new Map([
  [-1, -90],
  [-0.5, -30],
  [0, 0],
  [0.5, 30],
  [1, 90],
]);
const EXACT_ACOS_DEGREES = new Map([
  [-1, 180],
  [-0.5, 120],
  [0, 90],
  [0.5, 60],
  [1, 0],
]);
const EXACT_ATAN_DEGREES = new Map([
  [-1, -45],
  [0, 0],
  [1, 45],
]);

function fromRadians(radians: number, unit: AngleUnit, exactDegrees: number | undefined): number {
  if (unit === 'radians') return radians;
  return exactDegrees ?? radians / RADIANS_PER_DEGREE;
}

/** Arcsine, answered in the given unit; outside [-1, 1] is a DOMAIN_ERROR. */
export function arcSine(value: number, unit: AngleUnit): StepResult {
  if (value < -1 || value > 1) return stepFailure('DOMAIN_ERROR', `asin is defined on [-1, 1], got ${value}`);
  return fromRadians(Math.asin(value), unit, EXACT_ASIN_DEGREES.get(value));
}

/** Arccosine, answered in the given unit; outside [-1, 1] is a DOMAIN_ERROR. */
export function arcCosine(value: number, unit: AngleUnit): StepResult {
  if (value < -1 || value > 1) return stepFailure('DOMAIN_ERROR', `acos is defined on [-1, 1], got ${value}`);
  return fromRadians(Math.acos(value), unit, EXACT_ACOS_DEGREES.get(value));
}

/** Arctangent, answered in the given unit. */
export function arcTangent(value: number, unit: AngleUnit): number {
  return fromRadians(Math.atan(value), unit, EXACT_ATAN_DEGREES.get(value));
}
