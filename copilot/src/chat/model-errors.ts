/**
 * A model call that failed, in words an on-call engineer can act on. Errors from the AWS SDK keep their name
 * (`ThrottlingException`, `AccessDeniedException`...) and how many attempts its retry strategy made.
 */
type ModelFailureKind = 'throttled' | 'denied' | 'refused' | 'unavailable' | 'malformed' | 'unknown';

export interface ModelFailure {
  kind: ModelFailureKind;
  /** One sentence for the answer. */
  message: string;
  /** The provider's error name, e.g. ThrottlingException. */
  name: string;
  attempts?: number;
}

export function classifyModelError(error: unknown, provider: string): ModelFailure {
  const err = error as {
    name?: string;
    message?: string;
    status?: number;
    code?: string;
    $metadata?: { attempts?: number; httpStatusCode?: number };
  };
  const name = err?.name ?? 'Error';
  const text = String(err?.message ?? error);
  const status = err?.$metadata?.httpStatusCode ?? err?.status;
  const attempts = err?.$metadata?.attempts;
  const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
  if (/AbortError|TimeoutError/.test(name) || /aborted|timed? ?out/i.test(text))
    return { kind: 'unavailable', name, message: `${provider} did not answer in time (${name})` };
  if (/Throttling|TooManyRequests|RateLimit|ServiceQuotaExceeded/i.test(name) || status === 429)
    return {
      kind: 'throttled',
      name,
      ...(attempts ? { attempts } : {}),
      message: `${provider} is throttling requests (${name})${tries}; try again in a minute or raise the account's quota`,
    };
  if (
    /AccessDenied|Unrecognized|ExpiredToken|InvalidSignature|Credentials|Unauthorized|Authentication/i.test(
      name,
    ) ||
    status === 401 ||
    status === 403
  )
    return {
      kind: 'denied',
      name,
      message: `${provider} refused the copilot's credentials (${name}): ${text}`,
    };
  if (/Validation|BadRequest|ResourceNotFound|ModelError/i.test(name) || status === 400 || status === 404)
    return { kind: 'refused', name, message: `${provider} refused the request (${name}): ${text}` };
  if (
    /SyntaxError|Deserializ|Unmarshal|CRC|checksum|No message found|parse|Invalid JSON|Unexpected token/i.test(
      `${name} ${text}`,
    )
  )
    return {
      kind: 'malformed',
      name,
      message: `${provider} answered with something that is not a valid model response (${text.slice(0, 160)})`,
    };
  if (
    /ServiceUnavailable|InternalServer|ModelNotReady|ModelTimeout|Timeout|ECONNREFUSED|ECONNRESET|socket hang up/i.test(
      `${name} ${text}`,
    ) ||
    (status ?? 0) >= 500
  )
    return {
      kind: 'unavailable',
      name,
      ...(attempts ? { attempts } : {}),
      message: `${provider} is unavailable (${name})${tries}`,
    };
  return { kind: 'unknown', name, message: `${provider} failed (${name}): ${text.slice(0, 200)}` };
}
