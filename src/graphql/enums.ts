import { registerEnumType } from 'type-graphql';
import { CALCULATION_ERROR_CODES } from '../errors/error-codes';
import type { CalculationErrorCode as CalculationErrorCodeValue } from '../errors/error-codes';

/** The angle unit of trigonometric operations; GraphQL names are upper case, values are the engine's. */
export enum AngleUnit {
  DEGREES = 'degrees',
  RADIANS = 'radians',
}
registerEnumType(AngleUnit, {
  name: 'AngleUnit',
  description: 'Unit of angles for sin, cos, tan and their inverses.',
});

/** Whether a calculation produced a result. */
export enum CalculationStatus {
  SUCCESS = 'SUCCESS',
  ERROR = 'ERROR',
}
registerEnumType(CalculationStatus, { name: 'CalculationStatus' });

/** Where the endpoint runs. */
export enum EndpointMode {
  EMBEDDED = 'embedded',
  SAGEMAKER = 'sagemaker',
}
registerEnumType(EndpointMode, {
  name: 'EndpointMode',
  description: 'EMBEDDED: a local endpoint started by the API; SAGEMAKER: a SageMaker endpoint in AWS.',
});

/** Whether the endpoint answered its last health check. */
export enum EndpointHealthStatus {
  HEALTHY = 'HEALTHY',
  UNHEALTHY = 'UNHEALTHY',
}
registerEnumType(EndpointHealthStatus, { name: 'EndpointHealthStatus' });

/** The calculation error codes, read from the one registry. */
export const CalculationErrorCode = Object.fromEntries(
  CALCULATION_ERROR_CODES.map((code) => [code, code]),
) as {
  readonly [K in CalculationErrorCodeValue]: K;
};
registerEnumType(CalculationErrorCode, {
  name: 'CalculationErrorCode',
  description: 'Why a calculation failed. A failed calculation is data, not a GraphQL error.',
});
