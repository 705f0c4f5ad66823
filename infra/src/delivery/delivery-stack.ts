import { readFileSync } from 'node:fs';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { AlarmRule, AlarmState, CompositeAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SingleTable } from '../constructs/single-table.ts';
import { UserDirectory } from '../constructs/user-directory.ts';
import type { DeploymentContext } from '../context.ts';
import { InfraConfigError } from '../errors.ts';
import type { Tunables } from '../tunables.ts';
import { AccessApi } from './access-api.ts';
import { ContentStorage } from './content-storage.ts';
import { Edge } from './edge.ts';
import { acknowledgeDeliveryFindings } from './delivery-nag.ts';
import { EdgeWebAcl } from './web-acl.ts';

/** A public key nobody holds the private half of: offline synthesis works, signed cookies would not. */
const PLACEHOLDER_SIGNING_KEY = new URL('../../keys/placeholder-signing-key.pub.pem', import.meta.url);

export interface DeliveryStackProps extends StackProps {
  readonly context: DeploymentContext;
  readonly tunables: Tunables;
  readonly replicaBucketName: string;
}

/**
 * The delivery core in AWS: content in S3 (replicated, tiered), CloudFront with signed cookies, the
 * viewer-request function and its KeyValueStore, the web ACL, the access API's functions behind canary
 * aliases, the global table, the readers' user pool and the secrets the functions read.
 */
export class DeliveryStack extends Stack {
  readonly storage: ContentStorage;
  readonly edge: Edge;
  readonly webAcl: EdgeWebAcl;
  readonly api: AccessApi;
  readonly table: SingleTable;
  readonly readers: UserDirectory;
  readonly secrets: { readonly cloudFrontPrivateKey: ISecret; readonly edgeTokenSecrets: ISecret };
  /** In alarm while any access API function's canary alarm is (`<prefix>-delivery-canary`): a rollback trigger. */
  readonly canaryRollUp: CompositeAlarm;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const { context, tunables } = props;
    const prefix = context.prefix;

    this.storage = new ContentStorage(this, 'Storage', {
      storage: tunables.storage,
      replicaBucketName: props.replicaBucketName,
      logBucketName: `${prefix}-logs-${context.account}-${this.region}`,
    });
    this.webAcl = new EdgeWebAcl(this, 'WebAcl', { prefix, rateRules: tunables.waf.rateRules });
    this.edge = new Edge(this, 'Edge', {
      prefix,
      cache: tunables.cache,
      realtimeLogs: {
        shards: tunables.scaleOut.realtimeLogShards,
        samplingPercent: tunables.scaleOut.realtimeLogSamplingPercent,
      },
      content: this.storage.content,
      logs: this.storage.logs,
      webAclArn: this.webAcl.webAcl.attrArn,
      signingPublicKeyPem: this.signingPublicKey(context),
      ...(context.edgeDomainName && context.edgeCertificateArn
        ? { domain: { name: context.edgeDomainName, certificateArn: context.edgeCertificateArn } }
        : {}),
    });
    this.table = new SingleTable(this, 'Table', {
      tableName: `${prefix}-delivery`,
      replicaRegions: [context.replicaRegion],
    });
    this.readers = new UserDirectory(this, 'Readers', {
      userPoolName: `${prefix}-readers`,
      groups: ['reader', 'org_admin', 'admin', 'copilot'],
      mfa: 'optional',
      selfSignUp: true,
      appClientName: 'reader-app',
      // The copilot's service token for the admin API (client credentials).
      serviceClient: {
        name: 'copilot-service',
        domainPrefix: `${prefix}-readers-${context.account}`,
        resourceServer: 'boundless-delivery',
        scope: 'admin',
      },
    });
    const secrets = {
      cloudFrontPrivateKey: new Secret(this, 'SigningPrivateKey', {
        secretName: `${prefix}/cloudfront-signing-private-key`,
        description: 'PEM of the private half of the CloudFront signing key (put it after the first deploy)',
      }),
      edgeTokenSecrets: new Secret(this, 'EdgeTokenSecrets', {
        secretName: `${prefix}/edge-token-secrets`,
        description:
          'Edge-token HMAC secrets by kid, JSON; each must also be in the KeyValueStore as k:<kid>',
        generateSecretString: {
          secretStringTemplate: '{}',
          generateStringKey: context.edgeTokenKid,
          passwordLength: 48,
          excludePunctuation: true,
        },
      }),
    };
    this.secrets = secrets;
    // The copilot's client-credentials token reaches the admin routes: the authorizer lets its client through,
    // and the functions map that client with its scope (and nothing else) to the copilot role.
    const serviceClient = this.readers.serviceClient!;
    this.api = new AccessApi(this, 'AccessApi', {
      prefix,
      tunables,
      table: this.table.table,
      keyValueStoreArn: this.edge.keyValueStore.keyValueStoreArn,
      edgeBaseUrl: `https://${context.edgeDomainName ?? this.edge.distribution.distributionDomainName}`,
      signingKeyId: this.edge.publicKey.publicKeyId,
      edgeTokenKid: context.edgeTokenKid,
      secrets,
      identity: {
        issuer: this.readers.issuerUrl,
        jwksUrl: this.readers.jwksUrl,
        audience: this.readers.appClient.userPoolClientId,
        audiences: [this.readers.appClient.userPoolClientId, serviceClient.client.userPoolClientId],
        serviceClients: [
          { clientId: serviceClient.client.userPoolClientId, scope: serviceClient.scope, role: 'copilot' },
        ],
      },
    });
    // One alarm for every function's error-rate and latency guard, so a change set of this stack (at most five
    // rollback triggers) is guarded by its own functions as well as by the SLOs.
    this.canaryRollUp = new CompositeAlarm(this, 'CanaryRollUp', {
      compositeAlarmName: `${prefix}-delivery-canary`,
      alarmDescription: "Some access API function's canary guard (errors or p99 latency) is in alarm",
      alarmRule: AlarmRule.anyOf(
        ...Object.values(this.api.functions).flatMap((f) => [
          AlarmRule.fromAlarm(f.errorRateAlarm, AlarmState.ALARM),
          AlarmRule.fromAlarm(f.latencyAlarm, AlarmState.ALARM),
        ]),
      ),
    });
    acknowledgeDeliveryFindings(this, context.edgeDomainName !== undefined);

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output('EdgeUrl', `https://${this.edge.distribution.distributionDomainName}`, 'CloudFront distribution');
    output('DistributionId', this.edge.distribution.distributionId, 'CloudFront distribution id');
    output('ApiUrl', this.api.url, 'access API (COPILOT_ADMIN_API_URL)');
    output(
      'KeyValueStoreArn',
      this.edge.keyValueStore.keyValueStoreArn,
      'KeyValueStore of the viewer-request function',
    );
    output('TableName', this.table.table.tableName, 'delivery table');
    output('ContentBucket', this.storage.content.bucketName, 'origin bucket: upload titles under titles/');
    output(
      'LogBucket',
      this.storage.logs.bucketName,
      'CloudFront standard logs under cloudfront/ (COPILOT_LOG_BUCKET)',
    );
    output('ReadersUserPoolId', this.readers.userPool.userPoolId, 'readers user pool');
    output('ReaderAppClientId', this.readers.appClient.userPoolClientId, 'reader app client');
    output(
      'SigningPrivateKeySecretArn',
      secrets.cloudFrontPrivateKey.secretArn,
      'put the signing key PEM here',
    );
    output(
      'EdgeTokenSecretsArn',
      secrets.edgeTokenSecrets.secretArn,
      'copy each kid into the KeyValueStore as k:<kid>',
    );
    output(
      'WafIpSets',
      [this.webAcl.blockedAddresses, this.webAcl.rateLimitedAddresses]
        .map((set) => `${set.name}|${set.attrId}|CLOUDFRONT`)
        .join(','),
      'COPILOT_WAF_BLOCK_IPSET,COPILOT_WAF_RATE_LIMIT_IPSET',
    );
  }

  private signingPublicKey(context: DeploymentContext): string {
    if (context.signingPublicKey) return context.signingPublicKey;
    const path = context.signingPublicKeyFile ?? PLACEHOLDER_SIGNING_KEY;
    if (!context.signingPublicKeyFile) {
      Annotations.of(this).addWarningV2(
        'boundless:placeholder-signing-key',
        'No signingPublicKeyFile in the context: the key group trusts a placeholder key, so no signed cookie will verify. Pass -c signingPublicKeyFile=<pem> (infra/README.md).',
      );
    }
    try {
      const pem = readFileSync(path, 'utf8');
      if (!pem.includes('-----BEGIN PUBLIC KEY-----'))
        throw new Error('not a PEM public key (BEGIN PUBLIC KEY)');
      return pem;
    } catch (cause) {
      throw new InfraConfigError(`signingPublicKeyFile ${String(path)}: ${(cause as Error).message}`, [], {
        cause,
      });
    }
  }
}
