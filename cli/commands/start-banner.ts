/** What `boundless start` prints once everything is up: the addresses, the demo users and walkthroughs to paste. */
import type { LocalDelivery } from '@boundless/local';

/** The faults `--inject` scheduled, and how to diagnose what they do. */
function injectedFaults(delivery: LocalDelivery): string {
  const faults = delivery.faults.list();
  if (faults.length === 0) return '';
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const lines = faults.map(
    (f) =>
      `  ${f.kind} on ${f.target}: ${time(f.startMs)}–${time(f.endMs)} UTC (GET /local/faults; DELETE /local/faults/${f.id})`,
  );
  const at = new Date(faults[0]!.endMs).toISOString();
  return `
Injected faults:
${lines.join('\n')}
  Diagnose afterwards: boundless diagnose --telemetry ${delivery.dataDir} --at ${at} --out diag.json
`;
}

export function banner(delivery: LocalDelivery, copilotUrl?: string, dashboardUrl?: string): string {
  const api = delivery.apiUrl;
  const edge = delivery.edgeUrl;
  const reader = delivery.demoUsers.find((user) => user.role === 'reader' && user.titleId && !user.sourceIp);
  const admin = delivery.demoUsers.find((user) => user.role === 'admin');
  const title = reader?.titleId ?? '<titleId>';
  const assetPath = reader?.assetPath ?? `/titles/${title}/<asset>`;
  const device = reader?.deviceId ?? 'phone-1';
  const users = delivery.demoUsers
    .map((user) => `    ${user.name.padEnd(12)} ${user.description}`)
    .join('\n');
  const auth = (who: string) => `-H "authorization: Bearer $${who}" -H 'content-type: application/json'`;
  const dashboardLine = dashboardUrl
    ? `Dashboard: ${dashboardUrl}  (sign in as viewer, on-call or owner)`
    : `Dashboard: off (${copilotUrl ? '--no-dashboard, or its build failed: see above' : '--no-copilot'})`;
  return `
${dashboardLine}

Boundless delivery core is running locally (data in ${delivery.dataDir})

  Access API (API Gateway + Lambda emulation)  ${api}
  CloudFront edge (signed cookies + bbt)       ${edge}
  X-Ray daemon (UDP)                           ${delivery.xrayAddress}
  WAFv2 (web ACL IP sets: block, rate limit)   ${delivery.waf.url}
  Copilot (REST /api, socket.io)               ${copilotUrl ?? 'off (--no-copilot)'}
  Log groups                                   ${delivery.logsDir}
  X-Ray segments                               ${delivery.xrayDir}
${injectedFaults(delivery)}
Demo users (local only: POST ${api}/local/token {"user":"<name>"} returns a JWT):
${users}

Walkthrough (paste into another terminal; needs curl and jq):
  JWT=$(curl -s -X POST ${api}/local/token -d '{"user":"${reader?.name ?? 'reader'}"}' | jq -r .token)
  curl -s ${api}/v1/devices ${auth('JWT')}
  curl -s -c jar.txt -X POST ${api}/v1/access ${auth('JWT')} -d '{"titleId":"${title}","deviceId":"${device}"}' | tee grant.json
  BBT=$(jq -r .bbt grant.json); TOKEN_ID=$(jq -r .tokenId grant.json)
  curl -s -b jar.txt -H 'x-bb-device: ${device}' "${edge}${assetPath}?bbt=$BBT" -o asset.bin -D - | grep -i x-cache
  curl -s -X POST ${api}/v1/devices ${auth('JWT')} -d '{"deviceId":"laptop-1"}'
  curl -s -X POST ${api}/v1/devices ${auth('JWT')} -d '{"deviceId":"laptop-2"}'     # beyond the limit: 409
  ADMIN=$(curl -s -X POST ${api}/local/token -d '{"user":"${admin?.name ?? 'admin'}"}' | jq -r .token)
  curl -s -X POST ${api}/v1/admin/tokens/$TOKEN_ID/revoke ${auth('ADMIN')} -d '{"reason":"shared on a forum"}'
  curl -s -b jar.txt -H 'x-bb-device: ${device}' "${edge}${assetPath}?bbt=$BBT" -o /dev/null -w '%{http_code}\\n'   # 403
${copilotUrl ? copilotWalkthrough(copilotUrl) : ''}
Press Ctrl-C to stop.
`;
}

/**
 * Lines a user pastes as they are: URLs with a query are quoted (zsh reads an unquoted `?` as a glob and stops
 * with "no matches found"), and the rollback takes the id from the list instead of a `<id>` placeholder, which
 * a shell reads as a redirection from a file named id.
 */
export function copilotWalkthrough(copilot: string): string {
  return `
The copilot (local operator sign-in; roles viewer, on_call, owner):
  OPS=$(curl -s -X POST ${copilot}/local/token -H 'content-type: application/json' -d '{"role":"on_call"}' | jq -r .token)
  curl -s ${copilot}/api/findings -H "authorization: Bearer $OPS"
  curl -s "${copilot}/api/mitigations?status=active" -H "authorization: Bearer $OPS" | tee active.json
  MITIGATION=$(jq -r '.mitigations[0].id' active.json)     # the first live scenario's, about a minute after start
  curl -s -X POST ${copilot}/api/mitigations/$MITIGATION/rollback -H "authorization: Bearer $OPS" -H 'content-type: application/json' -d '{"reason":"false positive"}'
`;
}
