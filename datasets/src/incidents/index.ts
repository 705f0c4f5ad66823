// Incident scenarios as data and the simulator that writes their telemetry (see datasets/README.md).
export { containersEstate, deliveryEstate, type Estate } from './estate.ts';
export {
  FAULT_DESCRIPTIONS,
  type FaultSpec,
  faultSpecSchema,
  INCIDENT_FAULT_KINDS,
  type IncidentFaultKind,
  NO_FAULT_CONDITIONS,
  parseDuration,
  parseFaultArgument,
} from './faults.ts';
export {
  type GeneratedIncident,
  generateIncident,
  INCIDENT_SIMULATOR_VERSION,
  INCIDENT_WINDOW_MS,
} from './generate.ts';
export {
  DEFAULT_SCENARIOS_PATH,
  type IncidentScenario,
  loadScenarios,
  resolveTarget,
  type ScenarioCatalog,
  ScenarioError,
} from './scenario.ts';
