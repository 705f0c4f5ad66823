/**
 * A change set's "before" must be what is deployed: the copilot synthesizes with the context the CopilotStack
 * hands it (COPILOT_DEPLOYMENT_CONTEXT), without the deploying machine's files. With unchanged tunables its
 * templates must equal the deployed ones, signing key and dashboard upload included.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackTemplates, synthTemplates } from '../synth.ts';
import { diffTemplates } from '../template-diff.ts';
import { loadTunables } from '../tunables.ts';
import { dashboardBuildHash } from './dashboard-site.ts';

const work = mkdtempSync(join(tmpdir(), 'deployed-synth-'));
const keyFile = join(work, 'signing.pub.pem');
const dashboardDir = join(work, 'dist');
const tunables = loadTunables();
let deployed: StackTemplates;
let handed: Record<string, string>;

/** The context the deployed copilot task receives, read from the synthesized CopilotStack as ECS would. */
function copilotContext(templates: StackTemplates): Record<string, string> {
  const resources = Object.values(templates.BoundlessCopilot?.Resources ?? {}) as {
    Type: string;
    Properties: { ContainerDefinitions?: { Environment?: { Name: string; Value: unknown }[] }[] };
  }[];
  const service = resources.find(
    (r) =>
      r.Type === 'AWS::ECS::TaskDefinition' &&
      r.Properties.ContainerDefinitions?.[0]?.Environment?.some(
        (e) => e.Name === 'COPILOT_DEPLOYMENT_CONTEXT',
      ),
  );
  const value = service?.Properties.ContainerDefinitions?.[0]?.Environment?.find(
    (e) => e.Name === 'COPILOT_DEPLOYMENT_CONTEXT',
  )?.Value;
  return JSON.parse(value as string);
}

beforeAll(() => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  mkdirSync(join(dashboardDir, 'assets'), { recursive: true });
  writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dashboardDir, 'assets', 'index-abc.js'), 'console.log("dashboard")');
  // What `cdk deploy -c signingPublicKeyFile=... -c dashboardDir=...` synthesizes on the deploying machine.
  deployed = synthTemplates(tunables, {
    context: { account: '123456789012', signingPublicKeyFile: keyFile, dashboardDir },
  });
  handed = copilotContext(deployed);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the copilot's synthesis against the deployed templates", () => {
  it('hands the copilot the key and the build hash, never the deploying machine paths', () => {
    expect(handed).not.toHaveProperty('signingPublicKeyFile');
    expect(handed).not.toHaveProperty('dashboardDir');
    expect(handed.signingPublicKey).toContain('-----BEGIN PUBLIC KEY-----');
    expect(handed.dashboardAssetHash).toBe(dashboardBuildHash(dashboardDir));
  });

  it('reproduces every deployed template for unchanged tunables: an empty diff', () => {
    const copilot = synthTemplates(tunables, { context: handed });
    const diff = diffTemplates(deployed, copilot);
    expect(diff.stacks.filter((s) => s.differenceCount > 0).map((s) => s.stack)).toEqual([]);
    expect(diff.differenceCount).toBe(0);
  }, 120_000);

  it('differs without them (the gap this closes): the key group and the dashboard upload', () => {
    const { signingPublicKey: _key, dashboardAssetHash: _hash, ...withoutFiles } = handed;
    const copilot = synthTemplates(tunables, { context: withoutFiles });
    const diff = diffTemplates(deployed, copilot);
    const changed = diff.stacks.filter((s) => s.differenceCount > 0).map((s) => s.stack);
    expect(changed).toEqual(expect.arrayContaining(['BoundlessDelivery', 'BoundlessCopilot']));
  }, 120_000);

  it('names a dashboard build by its content: another file, another hash', () => {
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'index.html'), '<!doctype html><div id="root"></div>');
    expect(dashboardBuildHash(other)).not.toBe(dashboardBuildHash(dashboardDir));
  });
});
