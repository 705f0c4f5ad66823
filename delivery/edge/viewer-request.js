// biome-ignore lint/style/useNodejsImportProtocol: the CloudFront runtime names this module 'crypto'.
import crypto from 'crypto';
import cf from 'cloudfront';

// Boundless viewer-request function, CloudFront Functions runtime cloudfront-js-2.0.
// Enforces the device-bound edge token of DESIGN 4.1 (bbt query parameter + x-bb-device header) and the
// revocations and re-auth marks the admin API writes into the associated KeyValueStore.
// Kept to the 2.0 dialect (no destructuring, spread, optional chaining, classes or for-of) and under 10 KB;
// the local edge runs this very file in node:vm, so anything written here must run in both places.

const kvs = cf.kvs();

const PUBLIC_PREFIXES = ['/public/'];
const PUBLIC_PATHS = ['/robots.txt', '/favicon.ico'];
// A legitimate token is ~200 chars plus its scope; anything far longer is refused before any hashing.
const MAX_TOKEN_LENGTH = 512;
// Tolerated clock skew between the access API that issued a token and the edge.
const FUTURE_SKEW_SECONDS = 300;

const KID = /^[A-Za-z0-9]{1,8}$/;
const TOKEN_ID = /^[A-Za-z0-9_-]{8,40}$/;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEVICE_HASH = /^[0-9a-f]{16}$/;
const SECONDS = /^[0-9]{1,12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// Dot segments, doubled slashes and encoded separators would let a path pass the scope prefix test and still
// name an object outside it once an origin normalises or decodes the key.
const UNSAFE_PATH = /\/\.\.?(\/|$)|\/\/|\\|%2e|%2f|%5c|%00/i;

function refuse(reason) {
  // One line per refusal in the function's log group: what on-call reads when tokens start failing.
  console.log('{"level":"WARN","message":"token refused: ' + reason + '","reason":"' + reason + '"}');
  return {
    statusCode: 403,
    statusDescription: 'Forbidden',
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
      'x-bb-refused': { value: reason },
    },
    body: { encoding: 'text', data: '{"error":"' + reason + '"}' },
  };
}

function isPublic(uri) {
  if (PUBLIC_PATHS.indexOf(uri) !== -1) return true;
  for (let i = 0; i < PUBLIC_PREFIXES.length; i++) {
    if (uri.startsWith(PUBLIC_PREFIXES[i])) return true;
  }
  return false;
}

// No timingSafeEqual in the runtime: compare every character so the time does not reveal the prefix length.
function sameText(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function splitToken(token) {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const p = token.split('.');
  if (p.length !== 9 || p[0] !== 'v1') return null;
  if (!KID.test(p[1]) || !TOKEN_ID.test(p[2]) || !ACCOUNT_ID.test(p[3]) || !DEVICE_HASH.test(p[4]))
    return null;
  if (!SECONDS.test(p[5]) || !SECONDS.test(p[6]) || !BASE64URL.test(p[7]) || !BASE64URL.test(p[8]))
    return null;
  return {
    kid: p[1],
    tokenId: p[2],
    accountId: p[3],
    deviceHash: p[4],
    iat: Number(p[5]),
    exp: Number(p[6]),
    scope: p[7],
    sig: p[8],
    signed: token.slice(0, token.lastIndexOf('.')),
  };
}

async function secretFor(kid) {
  try {
    return await kvs.get('k:' + kid);
  } catch (_e) {
    // get() rejects for a missing key: the kid was never issued or has been retired.
    return null;
  }
}

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Decodes the scope to one char per byte. Request URIs arrive percent-encoded (ASCII), so a byte above 0x7f
// can never match either way; this is cheaper than a Buffer round trip on every request.
function decodeScope(text) {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    acc = ((acc << 6) | B64URL_ALPHABET.indexOf(text.charAt(i))) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
}

function inScope(uri, scope) {
  if (scope.charAt(0) !== '/') return false;
  if (scope.charAt(scope.length - 1) === '/') return uri.startsWith(scope);
  return uri === scope;
}

async function reauthSince(accountId) {
  const key = 'ra:' + accountId;
  if (!(await kvs.exists(key))) return 0;
  let raw;
  try {
    raw = await kvs.get(key);
  } catch (_e) {
    return 0; // lifted between the two reads
  }
  // An unreadable mark must not open access: treat it as "re-authenticate everything issued until now".
  return SECONDS.test(raw) ? Number(raw) : Infinity;
}

// Returns the refusal reason, or '' when the token opens this request.
async function check(value, request, now) {
  const t = splitToken(value);
  if (!t) return 'malformed';
  const secret = await secretFor(t.kid);
  if (secret === null || secret === undefined || secret === '') return 'unknown_kid';
  const expected = crypto.createHmac('sha256', secret).update(t.signed).digest('base64url');
  if (!sameText(expected, t.sig)) return 'bad_signature';
  if (t.exp <= now) return 'expired';
  if (t.iat > now + FUTURE_SKEW_SECONDS) return 'not_yet_valid';
  if (!inScope(request.uri, decodeScope(t.scope))) return 'wrong_scope';
  const device = request.headers['x-bb-device'];
  if (!device || typeof device.value !== 'string' || device.value === '') return 'missing_device';
  const hash = crypto
    .createHash('sha256')
    .update(t.accountId + ':' + device.value)
    .digest('hex')
    .slice(0, 16);
  if (hash !== t.deviceHash) return 'wrong_device';
  if (await kvs.exists('rv:' + t.tokenId)) return 'revoked';
  if (t.iat < (await reauthSince(t.accountId))) return 'reauth_required';
  return '';
}

// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls handler(event) by name.
async function handler(event) {
  const request = event.request;
  const query = request.querystring;
  const bbt = query.bbt;
  // The token is per reader: it must never reach the cache key or the origin, whatever the outcome.
  delete query.bbt;
  if (UNSAFE_PATH.test(request.uri)) return refuse('bad_path');
  if (isPublic(request.uri)) return request;
  if (!bbt) return refuse('missing_token');
  if (bbt.multiValue && bbt.multiValue.length > 1) return refuse('malformed');
  const reason = await check(bbt.value, request, Math.floor(Date.now() / 1000));
  return reason === '' ? request : refuse(reason);
}
