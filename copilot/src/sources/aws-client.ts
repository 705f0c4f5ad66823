/**
 * How the copilot calls AWS: the SDK's own retries are the one retry layer (standard mode: exponential backoff
 * with jitter on throttling, transient errors and 5xx, and a retry quota that stops retry storms), and every
 * call carries a deadline, its retries included, so that a hung endpoint cannot stall the loop.
 */

/** Attempts per call, the first included. */
export const AWS_MAX_ATTEMPTS = 3;

/** How long one outbound call may take, retries included, before it is abandoned. */
export const OUTBOUND_TIMEOUT_MS = 10_000;

/** Settings for every AWS SDK client the copilot creates: `new XClient(awsClientConfig({ region }))`. */
export function awsClientConfig<T extends { region: string }>(
  settings: T,
): T & { maxAttempts: number; retryMode: 'standard' } {
  return { maxAttempts: AWS_MAX_ATTEMPTS, retryMode: 'standard', ...settings };
}

/** The options of one `client.send(command, ...)`: an abort signal that fires after `timeoutMs`. */
export function deadline(timeoutMs = OUTBOUND_TIMEOUT_MS): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(timeoutMs) };
}
