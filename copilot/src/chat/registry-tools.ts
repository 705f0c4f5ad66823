import {
  type AnyCopilotTool as RegistryTool,
  COPILOT_TOOLS,
  RunbookIndex,
  runTool,
  type ToolContext,
  toolByName,
} from '../tools/index.ts';
import { copilotLogger } from '../logger.ts';
import type { Diagnosis, Diagnostician } from './diagnostician.ts';
import type { AnyCopilotTool, Evidence, EvidenceKind, ToolResult } from './tools.ts';

/**
 * The copilot's tool registry as the chat runs it. Registry tools return data; the chat also needs the
 * observations in that data a claim may cite, so each result's evidence is read from the shapes the tools
 * return: diagnosis evidence (`{kind, ref}`), Logs Insights rows (`@ptr`), flagged metric points (`ref` to
 * their EMF event) and trace summaries (`traceId`). The diagnostician is the chat's own `diagnose` tool, so
 * the registry's is left out here and reached through `registryDiagnostician`.
 */
const KINDS: readonly EvidenceKind[] = ['log', 'trace', 'metric', 'change', 'finding'];
const MAX_EVIDENCE = 60;
const EXCERPT_CHARS = 300;

export function chatToolsFrom(tools: readonly RegistryTool[], ctx: ToolContext): AnyCopilotTool[] {
  return tools
    .filter((tool) => tool.name !== 'diagnose')
    .map((tool) => ({
      name: tool.name,
      description: tool.description,
      params: tool.input,
      async run(params: Record<string, unknown>): Promise<ToolResult> {
        const result = await runTool(tool, params, ctx);
        const evidence = evidenceIn(result.data);
        return { ...result, ...(evidence.length ? { evidence } : {}) };
      },
    }));
}

/** The registry's diagnose tool behind the chat's Diagnostician port. */
export function registryDiagnostician(ctx: ToolContext): Diagnostician {
  return {
    async diagnose({ at, windowMs, question }) {
      const tool = toolByName('diagnose');
      if (!tool) throw new Error('the tool registry has no diagnose tool');
      const minutes = Math.max(1, Math.round(windowMs / 60_000));
      const result = await runTool(
        tool,
        { at, window: `${minutes}m`, ...(question ? { question } : {}) },
        ctx,
      );
      if (result.status === 'error' || !result.data)
        throw new Error(result.error?.message ?? 'the diagnostician returned nothing', {
          cause: result.error,
        });
      return result.data as Diagnosis;
    },
  };
}

const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, EXCERPT_CHARS) : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One observation a tool's output names, or undefined for anything else. */
function evidenceOf(node: Record<string, unknown>): Evidence | undefined {
  if (KINDS.includes(node.kind as EvidenceKind) && isRecord(node.ref)) {
    const excerpt = text(node.excerpt);
    return { kind: node.kind as EvidenceKind, ref: node.ref, ...(excerpt ? { excerpt } : {}) };
  }
  const ptr = node['@ptr'];
  if (typeof ptr === 'string') {
    // Locally `group#eventId`; in AWS an opaque pointer, kept as is with the group the row names.
    const cut = ptr.lastIndexOf('#');
    const group = cut > 0 ? ptr.slice(0, cut) : String(node['@log'] ?? '');
    const ref = cut > 0 ? { group, eventId: ptr.slice(cut + 1) } : { group, ptr };
    const excerpt = text(node['@message']);
    // In AWS the row also names its stream and the console page that shows the event.
    const opens = {
      ...(typeof node['@logStream'] === 'string' ? { stream: node['@logStream'] } : {}),
      ...(typeof node.consoleUrl === 'string' ? { consoleUrl: node.consoleUrl } : {}),
    };
    return {
      kind: 'log',
      ref: { ...ref, ...opens, timestamp: node['@timestamp'] },
      ...(excerpt ? { excerpt } : {}),
    };
  }
  if (typeof node.metric === 'string' && typeof node.t === 'string' && isRecord(node.ref))
    return {
      kind: 'metric',
      ref: {
        component: node.component,
        namespace: node.namespace,
        metric: node.metric,
        stat: node.stat,
        timestamp: node.t,
        value: node.value,
        ...node.ref,
      },
    };
  if (
    typeof node.traceId === 'string' &&
    (typeof node.start === 'string' || typeof node.durationMs === 'number')
  )
    return {
      kind: 'trace',
      ref: { traceId: node.traceId, ...(node.start ? { timestamp: node.start } : {}) },
    };
  return undefined;
}

export function evidenceIn(data: unknown): Evidence[] {
  const found: Evidence[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (found.length >= MAX_EVIDENCE || depth > 8) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (!isRecord(node)) return;
    const evidence = evidenceOf(node);
    // An observation's own fields are not observations again.
    if (evidence) found.push(evidence);
    else for (const value of Object.values(node)) visit(value, depth + 1);
  };
  visit(data, 0);
  return found;
}

/** The chat's tools and diagnostician over one tool context (the service's sources). */
export function chatPartsFrom(
  ctx: ToolContext,
  tools: readonly RegistryTool[] = COPILOT_TOOLS,
): { tools: AnyCopilotTool[]; diagnostician: Diagnostician } {
  return { tools: chatToolsFrom(tools, ctx), diagnostician: registryDiagnostician(ctx) };
}

/** Runbook search for the chat; without the runbooks (a build that does not ship them) the other tools answer. */
export async function loadRunbooks(): Promise<{ runbooks?: RunbookIndex }> {
  try {
    return { runbooks: await RunbookIndex.load() };
  } catch (error) {
    copilotLogger('chat').warn('runbooks not loaded: the chat answers without runbook search', { error });
    return {};
  }
}
