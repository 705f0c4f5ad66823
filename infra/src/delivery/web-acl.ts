import { CfnIPSet, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { Tunables } from '../tunables.ts';

export interface EdgeWebAclProps {
  readonly prefix: string;
  readonly rateRules: Tunables['waf']['rateRules'];
}

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/**
 * The distribution's web ACL, evaluated before the viewer-request function: the two IP sets the copilot's WAF
 * adapter edits (blocked addresses; rate-limited addresses with a tight rate rule scoped down to them, as the
 * local edge's web ACL does), a per-address rate rule for everyone, and AWS's IP reputation list.
 */
export class EdgeWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly blockedAddresses: CfnIPSet;
  readonly rateLimitedAddresses: CfnIPSet;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const ipSet = (setId: string, name: string, description: string) =>
      new CfnIPSet(this, setId, {
        name,
        scope: 'CLOUDFRONT',
        ipAddressVersion: 'IPV4',
        // The copilot owns the contents. CloudFormation sends addresses only when this resource changes, and an
        // update would empty the set: name and description are therefore fixed.
        addresses: [],
        description,
      });
    // The local web ACL names its sets alike (with the default prefix), so one copilot configuration reads both.
    this.blockedAddresses = ipSet(
      'Blocked',
      `${props.prefix}-blocked-addresses`,
      'Every request is blocked - edited by the copilot',
    );
    this.rateLimitedAddresses = ipSet(
      'RateLimited',
      `${props.prefix}-rate-limited-addresses`,
      'Requests over the listed-address rate rule are blocked - edited by the copilot',
    );
    const { perAddress, listedAddresses } = props.rateRules;
    this.webAcl = new CfnWebACL(this, 'Resource', {
      name: `${props.prefix}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${props.prefix}-edge`),
      rules: [
        {
          name: 'block-listed-addresses',
          priority: 0,
          action: { block: {} },
          statement: { ipSetReferenceStatement: { arn: this.blockedAddresses.attrArn } },
          visibilityConfig: visibility('block-listed-addresses'),
        },
        {
          name: 'rate-limit-listed-addresses',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: listedAddresses.limit,
              evaluationWindowSec: listedAddresses.windowSeconds,
              scopeDownStatement: { ipSetReferenceStatement: { arn: this.rateLimitedAddresses.attrArn } },
            },
          },
          visibilityConfig: visibility('rate-limit-listed-addresses'),
        },
        {
          name: 'rate-limit-every-address',
          priority: 2,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: perAddress.limit,
              evaluationWindowSec: perAddress.windowSeconds,
            },
          },
          visibilityConfig: visibility('rate-limit-every-address'),
        },
        {
          name: 'aws-ip-reputation',
          priority: 3,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
          },
          visibilityConfig: visibility('aws-ip-reputation'),
        },
      ],
    });
  }
}
