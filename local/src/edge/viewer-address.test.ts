import { describe, expect, it } from 'vitest';
import { LOOPBACK_PROXIES, trustedProxyMatcher, viewerAddress } from './viewer-address.ts';

describe('Function: viewerAddress', () => {
  const loopback = trustedProxyMatcher(LOOPBACK_PROXIES);
  const behindBalancer = trustedProxyMatcher(['10.0.0.0/8', '127.0.0.1/32']);
  const forwarded = (peer: string, header: string | string[] | undefined, trusted = loopback) =>
    viewerAddress(peer, header, 'x-forwarded-for', trusted);

  it('takes the hop a trusted proxy appended, from loopback (IPv4, mapped IPv4, IPv6)', () => {
    expect(forwarded('127.0.0.1', '81.2.69.160')).toBe('81.2.69.160');
    expect(forwarded('::ffff:127.0.0.1', '81.2.69.160')).toBe('81.2.69.160');
    expect(forwarded('::1', ['81.2.69.160'])).toBe('81.2.69.160');
  });

  it('takes the rightmost hop that is not a trusted proxy, never what the client wrote to its left', () => {
    // The client sent "x-forwarded-for: 1.1.1.1"; the balancer 10.0.0.5 appended the client's real address.
    expect(forwarded('10.0.0.5', '1.1.1.1, 81.2.69.160', behindBalancer)).toBe('81.2.69.160');
    // Two trusted proxies (loopback in front of the balancer) are walked past.
    expect(forwarded('127.0.0.1', '1.1.1.1, 81.2.69.160, 10.0.0.5', behindBalancer)).toBe('81.2.69.160');
    // Loopback trusts only itself: the hop it appended is the viewer, even if it is a private address.
    expect(forwarded('127.0.0.1', '81.2.69.160, 10.0.0.1')).toBe('10.0.0.1');
    // Several header lines read as one list.
    expect(forwarded('10.0.0.5', ['1.1.1.1', '81.2.69.160'], behindBalancer)).toBe('81.2.69.160');
  });

  it('ignores the header of a peer that is not a trusted proxy', () => {
    expect(forwarded('198.51.100.7', '81.2.69.160')).toBe('198.51.100.7');
    expect(forwarded('::ffff:198.51.100.7', '127.0.0.1')).toBe('198.51.100.7');
  });

  it('stops at the last trusted address when every hop is trusted, the header is empty or a hop is not an address', () => {
    expect(forwarded('127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(forwarded('127.0.0.1', '')).toBe('127.0.0.1');
    expect(forwarded('127.0.0.1', '10.0.0.9, 10.0.0.5', behindBalancer)).toBe('10.0.0.9');
    expect(forwarded('10.0.0.5', '81.2.69.160, not-an-ip', behindBalancer)).toBe('10.0.0.5');
    expect(forwarded('10.0.0.5', 'unknown, 10.0.0.7', behindBalancer)).toBe('10.0.0.7');
  });

  it('never reads the header in socket mode', () => {
    expect(viewerAddress('127.0.0.1', '81.2.69.160', 'socket', loopback)).toBe('127.0.0.1');
  });
});
