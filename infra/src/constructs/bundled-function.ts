import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** esbuild settings shared by every bundled function: one ESM file per function, SDK included. */
export const BUNDLING: NonNullable<NodejsFunctionProps['bundling']> = {
  format: OutputFormat.ESM,
  target: 'node22',
  platform: 'node',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  // The pinned SDK goes into the bundle rather than whichever the runtime ships.
  externalModules: [],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

export interface BundledFunctionProps {
  readonly functionName: string;
  readonly description: string;
  readonly entry: string;
  readonly handler?: string;
  readonly memoryMb: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly bundling?: NodejsFunctionProps['bundling'];
  readonly currentVersionOptions?: NodejsFunctionProps['currentVersionOptions'];
}

/**
 * A Node.js 22 function on arm64 bundled by esbuild, with its own role (whose only log permission is on its
 * own log group: no AWSLambdaBasicExecutionRole), a retained log group, JSON logs and X-Ray tracing.
 */
export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/lambda/${props.functionName}`,
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs ${props.functionName}`,
  });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    role,
    functionName: props.functionName,
    description: props.description,
    entry: props.entry,
    handler: props.handler ?? 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memoryMb,
    timeout: props.timeout,
    tracing: Tracing.ACTIVE,
    loggingFormat: LoggingFormat.JSON,
    logGroup,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: props.bundling ?? BUNDLING,
    ...(props.currentVersionOptions ? { currentVersionOptions: props.currentVersionOptions } : {}),
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime the project targets and tests against (README, pinned versions); a runtime move is its own change.',
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords accept no resource narrower than *.',
  });
  return fn;
}
