export type { Finding, FindingKind, FindingSeverity, FindingSubject } from './findings.ts';
