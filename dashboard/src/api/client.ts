/**
 * The REST client: same origin, the session cookie rides along (the page never holds a token), JSON in and out.
 * Failures keep the API's stable `{ error: { code, message } }` so a page can show both.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Whether a failed query is worth one more try: a network failure or a server error may pass, but the copilot's
 * answer to a request it refused (signed out, forbidden, no such thing: 4xx but 429) would only come again.
 */
export function retryOnce(failureCount: number, error: unknown): boolean {
  if (failureCount >= 1) return false;
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return readAnswer<T>(
    fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers:
        init.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
}

/** A request's answer as `api` reads it: the JSON body, or an `ApiError` with the API's code and message. */
export async function readAnswer<T>(request: Promise<Response>): Promise<T> {
  let response: Response;
  try {
    response = await request;
  } catch (error) {
    throw new ApiError(0, 'network', `the copilot did not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ApiError(
      response.status,
      'bad_response',
      `the copilot answered ${response.status} with something that is not JSON`,
    );
  }
  if (!response.ok) {
    const problem = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      problem?.code ?? 'http_error',
      problem?.message ?? `HTTP ${response.status}`,
    );
  }
  return body as T;
}
