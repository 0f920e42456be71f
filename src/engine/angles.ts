import type { AngleUnit, StepResult } from './calculation';
import { stepFailure } from './calculation';

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

/**
 * Converts an angle to degrees. A radian value that is the double nearest a multiple of 15° (Math.PI / 6,
 * Math.PI, ...) is snapped to that multiple, so sin(pi) is 0 and tan(pi/2) is a domain error.
 */
function toDegrees(angle: number, unit: AngleUnit): number {
  if (unit === 'degrees') return angle;
  const degrees = angle / RADIANS_PER_DEGREE;
  const multiple = Math.round(degrees / 15) * 15;
  return multiple !== 0 && Math.abs(degrees - multiple) <= 1e-12 * Math.abs(multiple) ? multiple : degrees;
}

/** Sine of an angle in the given unit, exact at multiples of 30° and 45°. */
export function sine(angle: number, unit: AngleUnit): number {
  const reduced = reduceDegrees(toDegrees(angle, unit));
  return EXACT_SIN_BY_DEGREE.get(reduced) ?? Math.sin(reduced * RADIANS_PER_DEGREE);
}

/** Cosine of an angle in the given unit: sin(x + 90°), so exact at the same angles. */
export function cosine(angle: number, unit: AngleUnit): number {
  return sine(toDegrees(angle, unit) + 90, 'degrees');
}

/** Tangent of an angle in the given unit; 90° + k·180° is a DOMAIN_ERROR, not 1.6e16. */
export function tangent(angle: number, unit: AngleUnit): StepResult {
  const reduced = reduceDegrees(toDegrees(angle, unit)) % 180;
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
