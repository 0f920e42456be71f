import { randomUUID } from 'node:crypto';
import type { InvocationRequest, InvocationResponse } from './invocation-handler';
import { CUSTOM_ATTRIBUTES_HEADER } from './invocation-handler';

/** The account id the local endpoint reports, as SageMaker's local tooling does. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The production variant the local endpoint reports; SageMaker's default variant name. */
export const LOCAL_VARIANT_NAME = 'AllTraffic';

function runtimeError(status: number, errorType: string, body: Record<string, unknown>): InvocationResponse {
  return {
    status,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': errorType,
      'x-amzn-RequestId': randomUUID(),
    },
    body: JSON.stringify(body),
  };
}

/** SageMaker Runtime's ValidationError, raised by the SDKs as `ValidationError`. */
export function validationError(message: string): InvocationResponse {
  return runtimeError(400, 'ValidationError', { message });
}

/** SageMaker Runtime's answer to a body over its 6 MB limit. */
export function payloadTooLargeError(limitBytes: number): InvocationResponse {
  return validationError(
    `1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${limitBytes}`,
  );
}

/**
 * Answers `POST /endpoints/{name}/invocations` as SageMaker Runtime's InvokeEndpoint does, by passing the
 * request (already within SageMaker's 6 MB limit) to the container's own handler: success headers on a 2xx, `ModelError` (424, with the
 * container's status and body as OriginalStatusCode / OriginalMessage) otherwise.
 */
export function invokeLocalEndpoint(options: {
  readonly endpointName: string;
  readonly requestedName: string;
  readonly request: InvocationRequest;
  readonly invokeContainer: (request: InvocationRequest) => InvocationResponse;
}): InvocationResponse {
  const { endpointName, requestedName, request } = options;
  if (requestedName !== endpointName) {
    return validationError(`Endpoint ${requestedName} of account ${LOCAL_ACCOUNT_ID} not found.`);
  }
  const response = options.invokeContainer(request);
  if (response.status >= 200 && response.status < 300) {
    const headers: Record<string, string> = {
      'Content-Type': response.headers['Content-Type'] ?? 'application/json',
      'x-Amzn-Invoked-Production-Variant': LOCAL_VARIANT_NAME,
      'x-amzn-RequestId': randomUUID(),
    };
    const attributes = response.headers[CUSTOM_ATTRIBUTES_HEADER];
    if (attributes !== undefined) headers[CUSTOM_ATTRIBUTES_HEADER] = attributes;
    return { status: 200, headers, body: response.body };
  }
  const kind = response.status < 500 ? 'client' : 'server';
  return runtimeError(424, 'ModelError', {
    ErrorCode: `${kind.toUpperCase()}_ERROR_FROM_MODEL`,
    Message: `Received ${kind} error (${response.status}) from primary with message "${response.body}".`,
    OriginalStatusCode: response.status,
    OriginalMessage: response.body,
    LogStreamArn: `arn:aws:logs:local:${LOCAL_ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${endpointName}`,
  });
}
