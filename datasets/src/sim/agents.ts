import type { Rng } from './rng.ts';

export type DeviceType = 'phone' | 'tablet' | 'web' | 'ereader' | 'lab';

export interface Device {
  readonly id: string;
  readonly type: DeviceType;
  readonly userAgent: string;
}

const APP = 'BoundlessReader';
const IOS = ['17.6.1', '18.0.1', '18.1', '18.1.1'];
const ANDROID_MODELS = ['SM-S918B', 'Pixel 8', 'Pixel 7a', 'SM-A546B', '2201116SG', 'CPH2581'];
const ANDROID = ['13', '14', '15'];
const APP_VERSIONS = ['4.11.2', '4.12.0', '4.12.1'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
];

export function browserUserAgent(rng: Rng): string {
  return rng.pick(BROWSERS);
}

/** A device id as the apps mint it (UUID v4 shape). */
export function deviceId(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function makeDevice(rng: Rng, type: DeviceType): Device {
  const id = deviceId(rng);
  const version = rng.pick(APP_VERSIONS);
  switch (type) {
    case 'phone':
      return {
        id,
        type,
        userAgent: rng.chance(0.5)
          ? `${APP}/${version} (iPhone; iOS ${rng.pick(IOS)}; Scale/3.00)`
          : `${APP}/${version} (Linux; Android ${rng.pick(ANDROID)}; ${rng.pick(ANDROID_MODELS)})`,
      };
    case 'tablet':
      return { id, type, userAgent: `${APP}/${version} (iPad; iPadOS ${rng.pick(IOS)}; Scale/2.00)` };
    case 'ereader':
      return { id, type, userAgent: `${APP}-EInk/3.8.${rng.int(0, 4)} (Linux armv7l)` };
    default:
      return { id, type, userAgent: browserUserAgent(rng) };
  }
}

export function randomDeviceType(rng: Rng): DeviceType {
  const x = rng.next();
  return x < 0.5 ? 'phone' : x < 0.72 ? 'tablet' : x < 0.9 ? 'web' : 'ereader';
}

export const CRAWLER_AGENTS = {
  googlebot:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/130.0.6723.116 Safari/537.36',
  googlebotClassic: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
} as const;

export const TOOL_AGENTS = [
  'python-requests/2.32.3',
  'curl/8.5.0',
  'Go-http-client/1.1',
  'Wget/1.21.4',
  'Scrapy/2.11.2 (+https://scrapy.org)',
] as const;
