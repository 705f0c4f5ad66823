import type { AccessGrant } from '@boundless/local/client';

/** What one request to the edge came to, as a viewer sees it. */
export type ViewerOutcome = 'served' | 'refused' | 'other';

export interface ViewerRequest {
  /** The app's grant (token and cookies); none for a public page. */
  grant?: Pick<AccessGrant, 'bbt' | 'cookies'>;
  path: string;
  deviceId: string;
  /** The viewer's address, sent as `x-forwarded-for` (the local edge honours it from loopback only). */
  ip: string;
  userAgent: string;
  query?: string;
}

export interface ViewerAnswer {
  outcome: ViewerOutcome;
  status: number;
  /** The edge's reason for a refusal (`x-bb-refused`), '' otherwise. */
  refusedBy: string;
}

/**
 * One request through the edge the way an app does it: bbt, device header, CloudFront cookies; or, without a
 * grant, a plain request for a public page.
 */
export async function fetchAsset(
  edgeUrl: string,
  request: ViewerRequest,
  signal: AbortSignal,
): Promise<ViewerAnswer> {
  const url = new URL(request.path, edgeUrl);
  if (request.query) url.search = request.query;
  const headers: Record<string, string> = { 'x-forwarded-for': request.ip, 'user-agent': request.userAgent };
  if (request.grant) {
    url.searchParams.set('bbt', request.grant.bbt);
    headers['cookie'] = Object.entries(request.grant.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    headers['x-bb-device'] = request.deviceId;
  }
  try {
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]),
    });
    await response.arrayBuffer();
    return {
      outcome: classify(response.status),
      status: response.status,
      refusedBy: response.headers.get('x-bb-refused') ?? '',
    };
  } catch {
    return { outcome: 'other', status: 0, refusedBy: '' };
  }
}

function classify(status: number): ViewerOutcome {
  if ((status >= 200 && status < 300) || status === 304) return 'served';
  if (status === 401 || status === 403 || status === 429) return 'refused';
  return 'other';
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
