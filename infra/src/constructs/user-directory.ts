import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface UserDirectoryProps {
  readonly userPoolName: string;
  /** Roles are Cognito groups; both services read them from `cognito:groups`. */
  readonly groups: readonly string[];
  /** Operators must use a second factor; readers are offered one. */
  readonly mfa: 'required' | 'optional';
  readonly selfSignUp: boolean;
  /** The interactive app client's name (the audience services check). */
  readonly appClientName: string;
  /**
   * A machine client (OAuth client credentials, with a secret) for a service calling another: its token
   * endpoint is on the pool's Cognito domain, its scope `<resource server>/<scope>`.
   */
  readonly serviceClient?: { name: string; domainPrefix: string; resourceServer: string; scope: string };
}

/**
 * A Cognito user pool whose groups carry the roles the services check: strong passwords, TOTP second factor,
 * retained on deletion. The issuer URL is what `BOUNDLESS_IDENTITY_ISSUER` / `COPILOT_IDENTITY_ISSUER` take.
 */
export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly appClient: UserPoolClient;
  readonly serviceClient?: { client: UserPoolClient; tokenUrl: string; scope: string };

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Resource', {
      userPoolName: props.userPoolName,
      featurePlan: FeaturePlan.ESSENTIALS,
      selfSignUpEnabled: props.selfSignUp,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: props.mfa === 'required' ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of props.groups) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
      });
    }
    this.appClient = this.userPool.addClient('App', {
      userPoolClientName: props.appClientName,
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    if (props.serviceClient) {
      const { name, domainPrefix, resourceServer, scope } = props.serviceClient;
      const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
      const scopeObject = new ResourceServerScope({ scopeName: scope, scopeDescription: `${name} calls` });
      const server = this.userPool.addResourceServer('Api', {
        identifier: resourceServer,
        scopes: [scopeObject],
      });
      const client = this.userPool.addClient('Service', {
        userPoolClientName: name,
        generateSecret: true,
        oAuth: {
          flows: { clientCredentials: true },
          scopes: [OAuthScope.resourceServer(server, scopeObject)],
        },
        accessTokenValidity: Duration.hours(1),
      });
      this.serviceClient = {
        client,
        tokenUrl: `${domain.baseUrl()}/oauth2/token`,
        scope: `${resourceServer}/${scope}`,
      };
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection needs the Plus feature plan, billed per monthly active user; abuse is detected from edge and API telemetry by the copilot instead.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus plan is billed per monthly active user; abuse is detected from edge and API telemetry by the copilot instead.',
    });
    if (props.mfa === 'optional') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'Readers are offered TOTP but not forced: access is already bound to registered devices and expires within the hour.',
      });
    }
  }

  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the `iss` of the pool's tokens. */
  get issuerUrl(): string {
    // ProviderURL comes without its scheme.
    return `https://${this.userPool.userPoolProviderUrl}`;
  }

  get jwksUrl(): string {
    return `${this.issuerUrl}/.well-known/jwks.json`;
  }
}
