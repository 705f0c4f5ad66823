import { describe, expect, it } from 'vitest';
import type { DeliveryError } from '../errors.ts';
import { generateRsaKeyPairPem } from '../rsa-key-pair.ts';
import { loadDeliveryConfig } from './config.ts';

const pem = generateRsaKeyPairPem().privateKeyPem;
const SECRET = 's'.repeat(40);
const valid = {
  BOUNDLESS_TABLE_NAME: 'delivery',
  BOUNDLESS_EDGE_BASE_URL: 'https://d111.cloudfront.net/',
  BOUNDLESS_CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
  BOUNDLESS_CLOUDFRONT_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
  BOUNDLESS_EDGE_TOKEN_KID: 'k2',
  BOUNDLESS_EDGE_TOKEN_SECRETS: JSON.stringify({ k1: SECRET, k2: SECRET }),
  BOUNDLESS_IDENTITY_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  BOUNDLESS_IDENTITY_AUDIENCE: 'client-1',
};

function failure(env: Record<string, string | undefined>): DeliveryError {
  try {
    loadDeliveryConfig(env);
  } catch (error) {
    return error as DeliveryError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('Function: loadDeliveryConfig', () => {
  it('reads a valid environment with defaults and normalises PEM and URLs', () => {
    const config = loadDeliveryConfig(valid);
    expect(config.edgeBaseUrl).toBe('https://d111.cloudfront.net');
    expect(config.cloudFront.privateKeyPem).toContain('\n');
    expect(config.limits).toEqual({
      accessTtlSeconds: 3600,
      deviceLimit: 3,
      maxBodyBytes: 16384,
      maxHeaderBytes: 8192,
    });
    expect(config.edgeTokens.secrets).toEqual({ k1: SECRET, k2: SECRET });
  });

  it('lists every problem at once, naming variables but never secret values', () => {
    const error = failure({
      ...valid,
      BOUNDLESS_TABLE_NAME: undefined,
      BOUNDLESS_DEVICE_LIMIT: '-1',
      BOUNDLESS_EDGE_TOKEN_SECRETS: JSON.stringify({ k2: 'short-secret-value' }),
    });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('BOUNDLESS_TABLE_NAME: environment variable is required');
    expect(error.message).toContain('BOUNDLESS_DEVICE_LIMIT');
    expect(error.message).toContain('at least 32 characters');
    expect(error.message).not.toContain('short-secret-value');
  });

  it('reads the service client grants, and refuses malformed ones by name', () => {
    const grant = { clientId: 'copilotclient1', scope: 'boundless-delivery/admin', role: 'copilot' };
    expect(loadDeliveryConfig(valid).identity.serviceClients).toEqual([]);
    expect(
      loadDeliveryConfig({ ...valid, BOUNDLESS_IDENTITY_SERVICE_CLIENTS: JSON.stringify([grant]) }).identity
        .serviceClients,
    ).toEqual([grant]);
    for (const bad of [
      '[{',
      JSON.stringify([{ ...grant, role: 'reader' }]),
      JSON.stringify([grant, grant]),
    ]) {
      const error = failure({ ...valid, BOUNDLESS_IDENTITY_SERVICE_CLIENTS: bad });
      expect(error.message).toContain('BOUNDLESS_IDENTITY_SERVICE_CLIENTS');
    }
  });

  it('requires a secret for the current kid', () => {
    const error = failure({ ...valid, BOUNDLESS_EDGE_TOKEN_KID: 'k3' });
    expect(error.message).toContain('must contain a secret for BOUNDLESS_EDGE_TOKEN_KID');
  });

  it('refuses secrets that are not JSON without echoing them', () => {
    const error = failure({ ...valid, BOUNDLESS_EDGE_TOKEN_SECRETS: 'k2=hunter2hunter2' });
    expect(error.message).toContain('must be a JSON object');
    expect(error.message).not.toContain('hunter2');
  });
});
