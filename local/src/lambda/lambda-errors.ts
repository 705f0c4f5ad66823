import { LocalError } from '../errors.ts';

/** The emulator's errors carry the Lambda API's error code, so the HTTP adapter answers as the Lambda API would. */
export class LambdaEmulatorError extends LocalError {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class TooManyRequestsError extends LambdaEmulatorError {
  constructor(functionName: string, concurrentExecutions: number) {
    super(
      'TooManyRequestsException',
      `${functionName} is at its concurrency limit (${concurrentExecutions})`,
    );
  }
}
