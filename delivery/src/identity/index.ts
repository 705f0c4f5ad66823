// Caller identity: the JWT verifier the handlers trust, and the local issuer that stands in for Cognito.
export {
  type LocalClientCredentials,
  type LocalIssuerOptions,
  LocalIdentityIssuer,
  type LocalUser,
} from './local-issuer.ts';
export { SERVICE_ROLES, type ServiceClientGrant, type ServiceRole } from './service-clients.ts';
export { createIdentityVerifier, type IdentitySettings, type IdentityVerifier } from './verifier.ts';
