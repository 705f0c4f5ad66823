// AWS WAF stand-in: IP sets on WAFv2's JSON protocol and the web ACL's block and rate-based rules.
export { IpSetRegistry, WafError } from './ip-sets.ts';
export { type LocalWaf, startLocalWaf } from './local-waf.ts';
export { type LocalWebAcl, startLocalWebAcl } from './local-web-acl.ts';
