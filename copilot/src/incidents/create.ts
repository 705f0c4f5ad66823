import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatConfig } from '../chat/config.ts';
import type { Diagnostician } from '../chat/diagnostician.ts';
import { createChatModel } from '../chat/models.ts';
import { loadPriceTable } from '../chat/pricing.ts';
import type { AnyCopilotTool } from '../chat/tools.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import { SourceEvidenceResolver, type SourceEvidenceResolverOptions } from './evidence-resolver.ts';
import { IncidentStore } from './incident-store.ts';
import { PendingProposalStore, type ProposalSink } from './proposals.ts';
import { IncidentService } from './service.ts';

export interface IncidentServiceOptions {
  /** The copilot table's document client and name (the table the copilot store opened). */
  doc: DynamoDBDocumentClient;
  tableName: string;
  copilot: CopilotStore;
  chat: ChatConfig;
  /** The copilot's region: Bedrock's too unless the chat names another. */
  region: string;
  tools?: readonly AnyCopilotTool[];
  diagnostician?: Diagnostician;
  /** Where citations are opened from. */
  sources: SourceEvidenceResolverOptions;
  /** @default pending proposals in the copilot table */
  proposals?: ProposalSink;
  /** A client for a non-default Bedrock endpoint (tests: the local Converse server). */
  bedrockClient?: BedrockRuntimeClient;
  clock?: () => number;
}

/** The incident chat as configured: the model (none offline), the tools, the stores and the resolver. */
export function createIncidentService(options: IncidentServiceOptions): IncidentService {
  const model = createChatModel(
    options.chat,
    options.region,
    loadPriceTable(),
    options.bedrockClient ? { bedrockClient: options.bedrockClient } : {},
  );
  return new IncidentService({
    incidents: new IncidentStore(options.doc, options.tableName),
    copilot: options.copilot,
    proposals: options.proposals ?? new PendingProposalStore(options.doc, options.tableName),
    chat: {
      config: options.chat,
      ...(model ? { model } : {}),
      tools: options.tools ?? [],
      ...(options.diagnostician ? { diagnostician: options.diagnostician } : {}),
    },
    resolver: new SourceEvidenceResolver(options.sources),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
