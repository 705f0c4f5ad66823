// Guarded mitigations: policies, guardrails, the engine, and the ports that apply them (admin API, WAF).
export {
  DEFAULT_POLICIES_PATH,
  loadMitigationConfig,
  type MitigationConfig,
  MitigationConfigError,
  parseMitigationConfig,
} from './config.ts';
export { AdminApiError, DeliveryAdminPort, type DeliveryAdminPortOptions } from './delivery-admin-port.ts';
export { MitigationEngine, type MitigationEvents } from './engine.ts';
export { MitigationPlanner } from './policy.ts';
export {
  type ChangeSetRef,
  type Decision,
  type DetectionRef,
  EFFECT_OF,
  type Guardrails,
  type Mitigation,
  type MitigationAction,
  type MitigationEffect,
  type MitigationPolicy,
  type MitigationPort,
  type MitigationTarget,
  originOf,
} from './types.ts';
export { RoutingMitigationPort, type WafIpSetRef, WafIpSetPort } from './waf-port.ts';
