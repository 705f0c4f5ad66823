import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CanaryDeployments } from './canary-deploy.ts';
import type { LocalRoute } from './local-identity-routes.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

function bodyOf(event: APIGatewayProxyEventV2): unknown {
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  return JSON.parse(text || '{}');
}

/**
 * `POST /local/deployments` (a canary deploy of a function: `boundless deploy`) and `GET /local/deployments/{id}`.
 * The local stand-in for CodeDeploy; like the local issuer it answers on this machine only.
 */
export function deployRoutes(deployments: CanaryDeployments): LocalRoute[] {
  const local = (event: APIGatewayProxyEventV2) => LOOPBACK.test(event.requestContext.http.sourceIp);
  return [
    {
      routeKey: 'POST /local/deployments',
      handler: async (event) => {
        if (!local(event)) return json(403, { message: 'deploys are started from this machine only' });
        let input: unknown;
        try {
          input = bodyOf(event);
        } catch (error) {
          if (error instanceof SyntaxError)
            return json(400, { message: `the body is not JSON: ${error.message}` });
          throw error;
        }
        try {
          const { deployment } = deployments.start(input as never);
          return json(202, { deployment });
        } catch (error) {
          const message =
            error instanceof Error && 'issues' in error
              ? (error as { issues: { path: unknown[]; message: string }[] }).issues
                  .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
                  .join('; ')
              : (error as Error).message;
          return json(400, { message });
        }
      },
    },
    {
      routeKey: 'GET /local/deployments/{id}',
      handler: async (event) => {
        const deployment = deployments.get(event.pathParameters?.id ?? '');
        return deployment ? json(200, { deployment }) : json(404, { message: 'no such deployment' });
      },
    },
  ];
}
