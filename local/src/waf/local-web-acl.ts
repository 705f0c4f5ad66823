import { IpSetRegistry } from './ip-sets.ts';
import { type LocalWaf, startLocalWaf } from './local-waf.ts';
import { type RateWindowSeconds, WebAcl } from './web-acl.ts';

/** The IP sets the distribution's web ACL reads, by name (in AWS the infrastructure creates them). */
const WEB_ACL_IP_SETS = {
  block: 'boundless-blocked-addresses',
  rateLimit: 'boundless-rate-limited-addresses',
} as const;

interface WebAclIpSetRef {
  name: string;
  id: string;
  scope: 'CLOUDFRONT';
}

export interface LocalWebAcl {
  webAcl: WebAcl;
  registry: IpSetRegistry;
  /** The WAFv2 endpoint serving the IP sets, for `new WAFV2Client({ endpoint })`. */
  url: string;
  sets: { block: WebAclIpSetRef; rateLimit: WebAclIpSetRef };
  close(): Promise<void>;
}

export interface LocalWebAclOptions {
  /** Where the IP sets persist (JSON). */
  file: string;
  host?: string;
  port?: number;
  /** The rate-based rule: requests per address in the trailing window before WAF blocks it. */
  rateLimit?: number;
  rateWindowSeconds?: RateWindowSeconds;
}

/**
 * The distribution's web ACL on this machine: two IP sets (blocked addresses; rate-limited addresses), a rule
 * blocking the first and a rate-based rule scoped down to the second, and the WAFv2 endpoint through which the
 * copilot edits both sets as it would in AWS.
 */
export async function startLocalWebAcl(options: LocalWebAclOptions): Promise<LocalWebAcl> {
  const registry = new IpSetRegistry({ file: options.file });
  const block = registry.ensure(WEB_ACL_IP_SETS.block, 'CLOUDFRONT', 'IPV4', 'every request is blocked');
  const rateLimit = registry.ensure(
    WEB_ACL_IP_SETS.rateLimit,
    'CLOUDFRONT',
    'IPV4',
    'requests over the rate-based rule are blocked',
  );
  const webAcl = new WebAcl(registry, [
    { name: 'block-listed-addresses', kind: 'ip_set_block', ipSetId: block.Id },
    {
      name: 'rate-limit-listed-addresses',
      kind: 'rate_limit',
      ipSetId: rateLimit.Id,
      limit: options.rateLimit ?? 60,
      windowSeconds: options.rateWindowSeconds ?? 300,
    },
  ]);
  const waf: LocalWaf = await startLocalWaf({
    registry,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  return {
    webAcl,
    registry,
    url: waf.url,
    sets: {
      block: { name: block.Name, id: block.Id, scope: 'CLOUDFRONT' },
      rateLimit: { name: rateLimit.Name, id: rateLimit.Id, scope: 'CLOUDFRONT' },
    },
    close: () => waf.close(),
  };
}
