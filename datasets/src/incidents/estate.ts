import { Rng } from '../sim/rng.ts';

/**
 * The systems incident scenarios run on. Two archetypes, each drawn with parameter ranges per seed so a
 * diagnosis is never tuned to one shape:
 * - `delivery`: the Boundless delivery core as it runs locally and in AWS — Lambda functions behind the HTTP
 *   API calling DynamoDB, a CloudFront distribution with a viewer-request function in front of an S3 origin;
 * - `containers`: someone else's microservices — 6 to 14 services with generated names on containers, a call
 *   graph of random depth, a SQL database and an outside API, logs in several styles (JSON with different
 *   field names, plain text), container metrics under one of several naming conventions.
 */
type Runtime = 'lambda' | 'container' | 'edge' | 'edge_function' | 'managed';

type LogStyle = 'powertools' | 'logback_json' | 'text';

export interface ComponentSpec {
  name: string;
  runtime: Runtime;
  logGroup?: string;
  /** Container metrics go to their own group (Container Insights style); Lambda's EMF goes with its logs. */
  metricsGroup?: string;
  logStyle: LogStyle;
  /** Median own time per request (ms) and its log-normal spread. */
  selfMs: number;
  sigma: number;
  /** INFO lines printed per request, as templates with `{id}` and `{n}` holes. */
  templates: string[];
  /** Background noise: error and warning lines per request that a healthy system prints anyway. */
  noiseErrorRate: number;
  noiseWarnRate: number;
  noiseTemplates: string[];
  memoryMb: number;
  /** Instances (pods, execution environments kept warm). */
  instances: number;
  /** For managed dependencies seen only through their callers' subsegments. */
  namespace?: 'aws' | 'remote';
  operations?: string[];
}

export interface CallNode {
  component: string;
  children: CallNode[];
}

interface Endpoint {
  name: string;
  weight: number;
  root: CallNode;
}

interface MetricNaming {
  namespace: string;
  dimension: string;
  cpu: string;
  memory: string;
  netTx: string;
  requests: string;
  latency: string;
}

export interface Estate {
  archetype: 'delivery' | 'containers';
  components: Map<string, ComponentSpec>;
  endpoints: Endpoint[];
  /** Requests per second at the daily mean. */
  baseRps: number;
  naming?: MetricNaming;
  /** The CDN, its viewer-request function and its cache, for the delivery archetype. */
  edge?: {
    distribution: string;
    functionName: string;
    hitRate: number;
    bytesPerRequest: number;
    originMs: number;
  };
  /** Who changes things: a CloudTrail trail delivered to a log group. */
  trailGroup: string;
}

const WORDS = [
  'atlas',
  'beacon',
  'cobalt',
  'delta',
  'ember',
  'falcon',
  'garnet',
  'harbor',
  'indigo',
  'juniper',
  'kestrel',
  'lumen',
  'meadow',
  'nimbus',
  'onyx',
  'pylon',
  'quartz',
  'raven',
  'sierra',
  'tundra',
  'umber',
  'vertex',
  'willow',
  'xenon',
  'yarrow',
  'zephyr',
];
const ROLES = [
  'cart',
  'checkout',
  'catalog',
  'pricing',
  'inventory',
  'shipping',
  'billing',
  'ledger',
  'auth',
  'profile',
  'search',
  'review',
  'notify',
  'quote',
  'routing',
  'booking',
  'payment',
  'session',
  'media',
  'rating',
];

const NAMINGS: MetricNaming[] = [
  {
    namespace: 'ECS/ContainerInsights',
    dimension: 'ServiceName',
    cpu: 'CpuUtilized',
    memory: 'MemoryUtilized',
    netTx: 'NetworkTxBytes',
    requests: 'RequestCount',
    latency: 'TargetResponseTime',
  },
  {
    namespace: 'Platform/Pods',
    dimension: 'service',
    cpu: 'cpu_usage_percent',
    memory: 'memory_usage_percent',
    netTx: 'network_transmit_bytes',
    requests: 'http_requests',
    latency: 'http_server_duration_p95',
  },
  {
    namespace: 'App/Runtime',
    dimension: 'app',
    cpu: 'ProcessCpuLoad',
    memory: 'HeapUsedRatio',
    netTx: 'BytesSent',
    requests: 'Throughput',
    latency: 'ServerLatencyP95',
  },
];

const TEXT_TEMPLATES = [
  'handled {op} for {id} in {n} ms',
  'loaded {n} rows for {id}',
  'cache lookup {id}: {n} entries',
  'validated request {id}',
  'publishing event {id} to queue',
  'computed {op} total {n}',
];
const NOISE_TEMPLATES = [
  'retrying idempotent call {id} (attempt {n})',
  'slow query detected: {n} ms for {id}',
  'client closed connection early for {id}',
  'deprecated parameter used by caller {id}',
  'config value missing, using default {n}',
  'request {id} rejected: validation failed on field f{n}',
];

function container(rng: Rng, name: string, cluster: string, style: LogStyle): ComponentSpec {
  const groupStyle = rng.pick([`/ecs/${cluster}/${name}`, `/aws/ecs/${name}`, `/k8s/${cluster}/${name}`]);
  return {
    name,
    runtime: 'container',
    logGroup: groupStyle,
    metricsGroup: `/aws/ecs/containerinsights/${cluster}/performance`,
    logStyle: style,
    selfMs: rng.logNormal(8, 0.7),
    sigma: rng.between(0.2, 0.5),
    templates: rng.shuffled(TEXT_TEMPLATES).slice(0, rng.int(1, 4)),
    noiseErrorRate: rng.chance(0.4) ? rng.between(0.002, 0.02) : 0,
    noiseWarnRate: rng.chance(0.6) ? rng.between(0.005, 0.05) : 0,
    noiseTemplates: rng.shuffled(NOISE_TEMPLATES).slice(0, 2),
    memoryMb: rng.pick([512, 1024, 2048]),
    instances: rng.int(1, 4),
  };
}

function managed(name: string, namespace: 'aws' | 'remote', operations: string[]): ComponentSpec {
  return {
    name,
    runtime: 'managed',
    logStyle: 'text',
    selfMs: namespace === 'aws' ? 6 : 3,
    sigma: 0.3,
    templates: [],
    noiseErrorRate: 0,
    noiseWarnRate: 0,
    noiseTemplates: [],
    memoryMb: 0,
    instances: 1,
    namespace,
    operations,
  };
}

export function containersEstate(seed: number): Estate {
  const rng = new Rng(seed, 'estate-containers');
  const prefix = rng.pick(WORDS);
  const cluster = `${prefix}-${rng.pick(['prod', 'live', 'main'])}`;
  const count = rng.int(6, 15);
  const names = rng
    .shuffled(ROLES)
    .slice(0, count)
    .map((role) => `${prefix}-${role}`);
  const style: LogStyle = rng.pick(['powertools', 'logback_json', 'text']);
  const components = new Map<string, ComponentSpec>();
  for (const name of names)
    components.set(
      name,
      container(
        rng,
        name,
        cluster,
        rng.chance(0.8) ? style : rng.pick(['powertools', 'logback_json', 'text']),
      ),
    );
  const db = managed(rng.pick(['orders-db@postgres', 'main@mysql', 'catalog@aurora']), 'remote', [
    'SELECT',
    'UPDATE',
    'INSERT',
  ]);
  const api = managed(
    rng.pick(['api.partner.example', 'payments.example.net', 'geo.example.org']),
    'remote',
    ['POST', 'GET'],
  );
  components.set(db.name, db);
  components.set(api.name, api);
  // Layers: a gateway, mid-tier services, leaves; each mid service calls 1-3 of the next layer.
  const gateway = names[0]!;
  const mid = names.slice(1, Math.max(2, Math.ceil(count / 2)));
  const leaves = names.slice(mid.length + 1);
  const tree = (name: string, depth: number): CallNode => {
    const children: CallNode[] = [];
    if (depth === 1)
      for (const callee of rng.shuffled(leaves.length ? leaves : mid).slice(0, rng.int(1, 3)))
        children.push(tree(callee, 2));
    if (depth >= 1 && rng.chance(0.6)) children.push({ component: db.name, children: [] });
    if (depth === 2 && rng.chance(0.5)) children.push({ component: api.name, children: [] });
    return { component: name, children };
  };
  const endpoints: Endpoint[] = mid.map((service, i) => ({
    name: `/api/${service.split('-').at(-1)}/${i}`,
    weight: rng.between(0.5, 3),
    root: { component: gateway, children: [tree(service, 1)] },
  }));
  return {
    archetype: 'containers',
    components,
    endpoints,
    baseRps: rng.between(1, 2.5),
    naming: rng.pick(NAMINGS),
    trailGroup: `aws-cloudtrail-logs-${rng.hex(8)}`,
  };
}

function fn(rng: Rng, name: string, templates: string[]): ComponentSpec {
  return {
    name,
    runtime: 'lambda',
    logGroup: `/aws/lambda/${name}`,
    logStyle: 'powertools',
    selfMs: rng.logNormal(25, 0.3),
    sigma: rng.between(0.2, 0.4),
    templates,
    noiseErrorRate: rng.chance(0.3) ? rng.between(0.001, 0.01) : 0,
    noiseWarnRate: rng.chance(0.5) ? rng.between(0.005, 0.03) : 0,
    noiseTemplates: rng.shuffled(NOISE_TEMPLATES).slice(0, 2),
    memoryMb: rng.pick([256, 512]),
    instances: rng.int(2, 6),
  };
}

export function deliveryEstate(seed: number): Estate {
  const rng = new Rng(seed, 'estate-delivery');
  const table = managed('DynamoDB', 'aws', ['GetItem', 'Query', 'PutItem', 'UpdateItem']);
  const components = new Map<string, ComponentSpec>([
    ['delivery-grant-access', fn(rng, 'delivery-grant-access', ['request'])],
    ['delivery-register-device', fn(rng, 'delivery-register-device', ['request'])],
    ['delivery-list-devices', fn(rng, 'delivery-list-devices', ['request'])],
    ['delivery-list-org-entitlements', fn(rng, 'delivery-list-org-entitlements', ['request'])],
    ['DynamoDB', table],
  ]);
  const distribution = `E${rng.hex(12).toUpperCase()}`;
  const functionName = rng.pick(['viewer-request', 'bb-viewer-request', 'edge-token-check']);
  components.set(distribution, {
    ...managed(distribution, 'remote', []),
    runtime: 'edge',
    logGroup: `/aws/cloudfront/${distribution}`,
    logStyle: 'logback_json',
  });
  components.set(functionName, {
    ...managed(functionName, 'remote', []),
    runtime: 'edge_function',
    logGroup: `/aws/cloudfront/function/${functionName}`,
    logStyle: 'text',
  });
  const call = (name: string): CallNode => ({
    component: name,
    children: [{ component: 'DynamoDB', children: [] }],
  });
  const endpoints: Endpoint[] = [
    { name: 'POST /v1/access', weight: 5, root: call('delivery-grant-access') },
    { name: 'POST /v1/devices', weight: 0.6, root: call('delivery-register-device') },
    { name: 'GET /v1/devices', weight: 1.2, root: call('delivery-list-devices') },
    { name: 'GET /v1/org/entitlements', weight: 0.4, root: call('delivery-list-org-entitlements') },
  ];
  return {
    archetype: 'delivery',
    components,
    endpoints,
    baseRps: rng.between(1, 2.5),
    edge: {
      distribution,
      functionName,
      hitRate: rng.between(0.75, 0.95),
      bytesPerRequest: rng.logNormal(400_000, 0.4),
      originMs: rng.logNormal(40, 0.3),
    },
    trailGroup: `aws-cloudtrail-logs-${rng.hex(8)}`,
  };
}
