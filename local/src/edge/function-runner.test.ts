import { describe, expect, it } from 'vitest';
import { FunctionLoadError } from '../errors.ts';
import { buildViewerRequestEvent } from './function-event.ts';
import { loadViewerRequestFunction, MAX_FUNCTION_BYTES } from './function-runner.ts';
import { LocalKeyValueStore } from './local-kvs.ts';

const event = () =>
  buildViewerRequestEvent({
    method: 'GET',
    uri: '/a',
    rawQuery: 'x=1&x=2&y',
    headers: { host: ['edge.local'], accept: ['text/html', 'application/json'] },
    cookieHeader: 'a=1; b=2',
    viewerIp: '192.0.2.1',
    distributionId: 'E1',
    distributionDomainName: 'edge.local',
    requestId: 'r',
  });

function load(source: string, kvs = new LocalKeyValueStore(), clock = () => 1_700_000_000_123) {
  return loadViewerRequestFunction({ source, kvs, clock });
}

describe('Function: loadViewerRequestFunction', () => {
  it('passes the CloudFront event shape, with repeated values as multiValue', async () => {
    const fn = load('function handler(event) { return event.request; }');
    const outcome = await fn.invoke(event());
    expect(outcome.kind).toBe('request');
    if (outcome.kind !== 'request') return;
    expect(outcome.request.querystring.x).toEqual({
      value: '1',
      multiValue: [{ value: '1' }, { value: '2' }],
    });
    expect(outcome.request.querystring.y).toEqual({ value: '' });
    expect(outcome.request.headers.accept?.multiValue).toHaveLength(2);
    expect(outcome.request.cookies).toEqual({ a: { value: '1' }, b: { value: '2' } });
  });

  it('gives the function the injected clock through Date.now()', async () => {
    const fn = load('function handler(event) { return { statusCode: 200, body: String(Date.now()) }; }');
    const outcome = await fn.invoke(event());
    expect(outcome.kind === 'response' && outcome.response.body).toBe('1700000000123');
  });

  it('loads a function that declares a name the runner binds for speed, and uses its own', async () => {
    const fn = load(
      [
        "const Number = function (x) { return 'own ' + x; };",
        'let Math = { max: function () { return 42; } };',
        'function handler(event) {',
        "  return { statusCode: 200, body: Number(Math.max(1, 2)) + ' ' + String.fromCharCode(65) };",
        '}',
      ].join('\n'),
    );
    const outcome = await fn.invoke(event());
    expect(outcome.kind === 'response' && outcome.response.body).toBe('own 42 A');
  });

  it('rejects get() for a missing key and answers exists() like CloudFront', async () => {
    const kvs = new LocalKeyValueStore({ initial: { present: 'v' } });
    const source = `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  let missing = 'resolved';
  try { await kvs.get('absent'); } catch (e) { missing = 'rejected'; }
  const body = [await kvs.get('present'), missing, await kvs.exists('present'), await kvs.exists('absent')].join(',');
  return { statusCode: 200, body: body };
}`;
    const outcome = await load(source, kvs).invoke(event());
    expect(outcome.kind === 'response' && outcome.response.body).toBe('v,rejected,true,false');
  });

  it('maps a throw to FunctionExecutionError and a bad result to FunctionValidationError', async () => {
    expect((await load('function handler() { throw new Error("boom"); }').invoke(event())).kind).toBe(
      'error',
    );
    const thrown = await load('function handler() { throw new Error("boom"); }').invoke(event());
    expect(thrown.kind === 'error' && thrown.code).toBe('FunctionExecutionError');
    const invalid = await load('function handler() { return 42; }').invoke(event());
    expect(invalid.kind === 'error' && invalid.code).toBe('FunctionValidationError');
  });

  it('runs in strict mode without eval, timers or require, as the runtime does', async () => {
    const probe = `function handler() {
  const seen = [typeof setTimeout, typeof require, typeof process];
  try { eval('1'); seen.push('eval'); } catch (e) { seen.push('no-eval'); }
  try { undeclared = 1; seen.push('sloppy'); } catch (e) { seen.push('strict'); }
  return { statusCode: 200, body: seen.join(',') };
}`;
    const outcome = await load(probe).invoke(event());
    expect(outcome.kind === 'response' && outcome.response.body).toBe(
      'undefined,undefined,undefined,no-eval,strict',
    );
  });

  it('refuses sources CloudFront would refuse', () => {
    expect(() =>
      load(`function handler(e) { return e.request; }\n//${'x'.repeat(MAX_FUNCTION_BYTES)}`),
    ).toThrow(FunctionLoadError);
    expect(() => load('const x = 1;')).toThrow(/no handler/);
    expect(() => load("import fs from 'fs';\nfunction handler(e) { return e.request; }")).toThrow(/fs/);
    expect(() => load('function handler( {')).toThrow(FunctionLoadError);
  });

  it('counts invocations, errors and time', async () => {
    const fn = load('function handler(e) { return e.request; }');
    await fn.invoke(event());
    await fn.invoke(event());
    const stats = fn.stats();
    expect(stats).toMatchObject({ invocations: 2, errors: 0 });
    expect(stats.totalNs).toBeGreaterThan(0);
  });
});
