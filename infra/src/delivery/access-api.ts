import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  type CfnStage,
  HttpApi,
  type HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LambdaDeploymentConfig, TrafficRouting } from 'aws-cdk-lib/aws-codedeploy';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CanaryFunction } from '../constructs/canary-function.ts';
import { SECRET_VARIABLES } from '../lambda/secrets.ts';
import { functionTunables, type Tunables } from '../tunables.ts';
import { DELIVERY_FUNCTIONS, type DeliveryFunctionName } from './functions.ts';

const DELIVERY_ENTRY = fileURLToPath(new URL('../lambda/delivery-entry.ts', import.meta.url));

export interface AccessApiProps {
  readonly prefix: string;
  readonly tunables: Tunables;
  readonly table: ITableV2;
  readonly keyValueStoreArn: string;
  /** `https://<distribution or alternate domain>`: where granted assets are fetched. */
  readonly edgeBaseUrl: string;
  readonly signingKeyId: string;
  readonly edgeTokenKid: string;
  readonly secrets: { cloudFrontPrivateKey: ISecret; edgeTokenSecrets: ISecret };
  readonly identity: {
    issuer: string;
    jwksUrl: string;
    audience: string;
    audiences: string[];
    /** Client-credentials clients and their role (`BOUNDLESS_IDENTITY_SERVICE_CLIENTS`): the copilot's. */
    serviceClients?: { clientId: string; scope: string; role: 'copilot' | 'admin' }[];
  };
}

function splitRouteKey(routeKey: string): { method: HttpMethod; path: string } {
  const [method, path] = routeKey.split(' ');
  return { method: method as HttpMethod, path: path! };
}

/**
 * The access API: one function per route of the delivery core (each behind a canary-deployed `live` alias),
 * an HTTP API with a JWT authorizer in front of the functions' own verification, stage and per-route throttling
 * from the tunables, and access logs.
 */
/**
 * One JSON line per request with the local runtime's access record field names (route, status, latency), so the
 * copilot reads the access log group the same way in AWS and locally (the report's throttling section). The
 * request time is the log event's own timestamp.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
  }),
);

export class AccessApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The stage's access log group (route, status, latency of every request): the report's throttling input. */
  readonly accessLogGroupName: string;
  readonly functions: Readonly<Record<DeliveryFunctionName, CanaryFunction>>;

  constructor(scope: Construct, id: string, props: AccessApiProps) {
    super(scope, id);
    const { tunables } = props;
    // Unnamed: CodeDeploy replaces a configuration on any change, and a fixed name would collide with itself.
    const deploymentConfig = new LambdaDeploymentConfig(this, 'CanaryConfig', {
      trafficRouting: TrafficRouting.timeBasedCanary({
        percentage: tunables.deploy.canaryPercent,
        interval: Duration.minutes(tunables.deploy.canaryIntervalMinutes),
      }),
    });
    this.api = new HttpApi(this, 'Resource', {
      apiName: `${props.prefix}-access`,
      description: 'Boundless access API (delivery core)',
      createDefaultStage: false,
    });
    this.accessLogGroupName = `/aws/apigateway/${props.prefix}-access`;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: this.accessLogGroupName,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const throttling = tunables.api.throttling;
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttling.default.rateLimit, burstLimit: throttling.default.burstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    const routeSettings = Object.fromEntries(
      Object.entries(throttling.routes).map(([routeKey, limits]) => [
        routeKey,
        { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
      ]),
    );
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);
    }

    // Rejects unsigned or foreign tokens before a function runs; the functions still verify and read roles.
    const authorizer = new HttpJwtAuthorizer('Readers', props.identity.issuer, {
      jwtAudience: props.identity.audiences,
    });
    const environment: Record<string, string> = {
      BOUNDLESS_TABLE_NAME: props.table.tableName,
      BOUNDLESS_EDGE_BASE_URL: props.edgeBaseUrl,
      BOUNDLESS_CLOUDFRONT_KEY_PAIR_ID: props.signingKeyId,
      BOUNDLESS_EDGE_TOKEN_KID: props.edgeTokenKid,
      BOUNDLESS_IDENTITY_ISSUER: props.identity.issuer,
      BOUNDLESS_IDENTITY_AUDIENCE: props.identity.audience,
      BOUNDLESS_IDENTITY_JWKS_URL: props.identity.jwksUrl,
      ...(props.identity.serviceClients?.length
        ? { BOUNDLESS_IDENTITY_SERVICE_CLIENTS: Stack.of(this).toJsonString(props.identity.serviceClients) }
        : {}),
      BOUNDLESS_KVS_ARN: props.keyValueStoreArn,
      [SECRET_VARIABLES.BOUNDLESS_CLOUDFRONT_PRIVATE_KEY]: props.secrets.cloudFrontPrivateKey.secretArn,
      [SECRET_VARIABLES.BOUNDLESS_EDGE_TOKEN_SECRETS]: props.secrets.edgeTokenSecrets.secretArn,
      POWERTOOLS_SERVICE_NAME: 'delivery',
      POWERTOOLS_METRICS_NAMESPACE: 'Boundless',
    };
    const kvsWrite = new PolicyStatement({
      actions: [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:GetKey',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:DeleteKey',
      ],
      resources: [props.keyValueStoreArn],
    });
    const functions = {} as Record<DeliveryFunctionName, CanaryFunction>;
    for (const spec of Object.values(DELIVERY_FUNCTIONS)) {
      const fn = new CanaryFunction(this, spec.handler, {
        functionName: spec.baseName,
        entry: DELIVERY_ENTRY,
        handler: spec.handler,
        description: `Boundless ${spec.routeKey}`,
        settings: functionTunables(tunables, spec.handler),
        environment,
        deploy: tunables.deploy,
        deploymentConfig,
      });
      props.table.grantReadWriteData(fn.function);
      props.secrets.cloudFrontPrivateKey.grantRead(fn.function);
      props.secrets.edgeTokenSecrets.grantRead(fn.function);
      // Only the admin routes revoke tokens and mark accounts at the edge.
      if (spec.admin) fn.function.addToRolePolicy(kvsWrite);
      const { method, path } = splitRouteKey(spec.routeKey);
      this.api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${spec.handler}-integration`, fn.alias),
        authorizer,
      });
      functions[spec.handler] = fn;
    }
    this.functions = functions;
  }

  /** The stage's invoke URL. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
