// Faults injected into the running local stack (`boundless start --inject`, `POST /local/faults`).
export { LOCAL_FAULT_KINDS, type LocalFault, LocalFaultError, type LocalFaultSpec } from './injector.ts';
