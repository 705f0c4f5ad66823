import type { EdgeTokenClaims } from './edge-token.ts';

/**
 * Shared test vectors of the edge token (DESIGN §4.1): every reader of the format is tested against them — the
 * reference codec here, the viewer-request function in the local edge's runtime, and the copilot's detectors,
 * which read claims without verifying. Valid tokens were issued once with `issueEdgeToken` and are checked
 * byte for byte; each invalid one names the first check that must refuse it, in the codec's order (and the
 * function's refusal reason): malformed, unknown_kid, bad_signature, expired, not_yet_valid.
 */
export const EDGE_TOKEN_VECTOR_NOW = 1_800_000_000;

export const EDGE_TOKEN_VECTOR_SECRETS: Readonly<Record<string, string>> = {
  k1: 'vector-secret-k1-0123456789abcdef',
  k2: 'vector-secret-k2-fedcba9876543210',
};

export type EdgeTokenVector =
  | {
      name: string;
      token: string;
      expect: 'valid';
      claims: EdgeTokenClaims;
      /** A device the token is bound to and a path inside its scope: the request it opens. */
      deviceId: string;
      path: string;
    }
  | {
      name: string;
      token: string;
      expect: 'malformed' | 'unknown_kid' | 'bad_signature' | 'expired' | 'not_yet_valid';
    };

export const EDGE_TOKEN_VECTORS: readonly EdgeTokenVector[] = [
  {
    name: 'minimal fields, key k1',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'valid',
    claims: {
      kid: 'k1',
      tokenId: 'tok_0123456789',
      accountId: 'acct-42',
      deviceHash: 'be418cde8bde108e',
      iat: 1799999940,
      exp: 1800003600,
      scope: '/titles/t-1/',
    },
    deviceId: 'device-a',
    path: '/titles/t-1/book.epub',
  },
  {
    name: 'longest ids, key k2, a scope whose base64url holds "-"',
    token:
      'v1.k2.TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT.org_Northbridge-University-reader-0001_xxxxxxxxxxxxxxxxxxxxxxxxx.b8c2bf0325aa8f85.1799999940.1800003600.L3RpdGxlcy90LWF-Lw.XnuZYFzaXmpC4JdlKEHSXJD_yxsQYXUGeDEe_ew2f0U',
    expect: 'valid',
    claims: {
      kid: 'k2',
      tokenId: 'TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
      accountId: 'org_Northbridge-University-reader-0001_xxxxxxxxxxxxxxxxxxxxxxxxx',
      deviceHash: 'b8c2bf0325aa8f85',
      iat: 1799999940,
      exp: 1800003600,
      scope: '/titles/t-a~/',
    },
    deviceId: 'phone 1',
    path: '/titles/t-a~/ch-1.html',
  },
  {
    name: 'shortest token id, a scope of one asset',
    token:
      'v1.k1.a1b2c3d4.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTkvY292ZXIuanBn.-3POdfo3pNFXMGAZ6JlpenMYwKlc-hLrhGOL6aMC7Vo',
    expect: 'valid',
    claims: {
      kid: 'k1',
      tokenId: 'a1b2c3d4',
      accountId: 'acct-42',
      deviceHash: 'be418cde8bde108e',
      iat: 1799999940,
      exp: 1800003600,
      scope: '/titles/t-9/cover.jpg',
    },
    deviceId: 'device-a',
    path: '/titles/t-9/cover.jpg',
  },
  { name: 'empty', token: '', expect: 'malformed' },
  {
    name: 'version 2',
    token:
      'v2.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'eight segments',
    token: 'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv',
    expect: 'malformed',
  },
  {
    name: 'ten segments',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs.x',
    expect: 'malformed',
  },
  {
    name: 'token id of seven characters',
    token:
      'v1.k1.tok_012.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'upper-case device hash',
    token:
      'v1.k1.tok_0123456789.acct-42.BE418CDE8BDE108E.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'iat not digits',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.17e8.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'padded scope',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv=.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'kid of nine characters',
    token:
      'v1.k12345678.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'malformed',
  },
  {
    name: 'unknown kid',
    token:
      'v1.k9.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.frMHQcsy2_uBfYF6joDDFuy0b2chi4oi6x-1C9fG7Rg',
    expect: 'unknown_kid',
  },
  {
    name: 'signed with another key',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.QIQM82fhM1onUWTCBt-W6QNfwai5fMExgSutIaY_QJU',
    expect: 'bad_signature',
  },
  {
    name: 'account changed after signing',
    token:
      'v1.k1.tok_0123456789.acct-43.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZWSs',
    expect: 'bad_signature',
  },
  {
    name: 'signature cut short',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800003600.L3RpdGxlcy90LTEv.yGGslgEgMQDSi0MH2msUATPG0TPEZ3988p-J8EAZW',
    expect: 'bad_signature',
  },
  {
    name: 'expired at this second',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1799999940.1800000000.L3RpdGxlcy90LTEv.-6O4xS5H1cRdpVBw1wft0y-86jXnkGhkc1P1xpft1_s',
    expect: 'expired',
  },
  {
    name: 'issued more than 300 s ahead',
    token:
      'v1.k1.tok_0123456789.acct-42.be418cde8bde108e.1800000301.1800004000.L3RpdGxlcy90LTEv.aJdR-jnfbDVPM14OVYEtCnvATDhPAwZD27Xk5y8BpDE',
    expect: 'not_yet_valid',
  },
];
