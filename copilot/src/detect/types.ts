import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import type { Refusal } from './edge-token.ts';

/** Abuse detections as DESIGN §4.2 writes them (one JSON object per line of `boundless detect`). */
export type DetectionKind = 'token_sharing' | 'scraping' | 'geo_spike';

export interface DetectionSubject {
  tokenId?: string;
  accountId?: string;
  ip?: string;
  country?: string;
}

export interface Detection {
  kind: DetectionKind;
  subject: DetectionSubject;
  /** ISO-8601 event time of the first observation of this episode. */
  firstSeen: string;
  /** ISO-8601 event time of the log line at which the detector fired. */
  detectedAt: string;
  /** 0..1 confidence. */
  score: number;
  evidence: Record<string, unknown>;
  /**
   * The action the default policies take on this detection (`observe` when none): filled by the engine from
   * copilot/policies.json, so that a reader of the output can tell a denial from a soft step.
   */
  mitigation: string;
}

/** One request as the detectors see it: the log record plus what the token and geolocation say. */
export interface AccessEvent {
  timestampMs: number;
  ip: string;
  /** The address's id (slot) and episode serial in the engine's address table. */
  ipSlot: number;
  ipSerial: number;
  /** /24 for IPv4: readers behind one NAT share it. */
  network: string;
  /** A hash of `network` in 30 bits (a small integer to V8). */
  networkHash: number;
  country: string;
  asn: number;
  tokenId: string;
  /**
   * The episode of tokenId in the engine's token table, unique to it (0 without a token): requests of one token
   * compare equal on it without reading the id's characters.
   */
  tokenSerial: number;
  accountId: string;
  deviceHash: string;
  /** The asset path, decoded; made into a string only when read (most requests never need it). */
  readonly uriStem: string;
  /** The decoded asset path's UTF-8 bytes: stemBytes[stemStart, stemEnd), valid during the call only. */
  stemBytes: Uint8Array;
  stemStart: number;
  stemEnd: number;
  /**
   * `uriStem` (once read) and `deviceHash` are strings of their own, safe to keep; otherwise they may be slices of a whole
   * decoded chunk and detectors copy what they keep (ownString). `ip` and `tokenId` always are.
   */
  ownedStrings: boolean;
  /** The query carries parameters besides the edge token (cache busters do). */
  extraParams: boolean;
  status: number;
  edgeResultType: string;
  /** The parsed line itself, for fields read rarely (the user agent is decoded only when read); valid only
   * during the call that receives the event. */
  record: EdgeLogRecord;
  /** For a 403: why the edge most likely refused it; '' otherwise. */
  refusal: Refusal | '';
}

export class DetectorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DetectorError';
  }
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A flat copy of a string. Fields parsed from a log line are slices of a whole decoded chunk (about 1 MB);
 * keeping one as a map key or in per-subject state would keep the chunk alive with it.
 */
export function ownString(value: string): string {
  if (value.length < 13) return value;
  // Decoded from bytes, not sliced from a concatenation: a slice of 13 characters or more is a string of its
  // own pointing into its parent (two objects, the parent one character longer), where this makes one.
  let latin1 = true;
  for (let i = 0; i < value.length && latin1; i++) latin1 = value.charCodeAt(i) < 0x100;
  return latin1
    ? Buffer.from(value, 'latin1').toString('latin1')
    : Buffer.from(value, 'utf16le').toString('utf16le');
}
