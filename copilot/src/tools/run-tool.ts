import type { AnyCopilotTool, ToolContext, ToolQuery, ToolResult } from './types.ts';

/**
 * Runs a tool with untrusted input (from a model, a socket, a command line): validates it against the tool's
 * schema and turns anything thrown into an `error` result, so no tool call can crash its caller.
 */
export async function runTool(tool: AnyCopilotTool, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  const parsed = tool.input.safeParse(input ?? {});
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
      .join('; ');
    return failure(tool.name, asParams(input), 'invalid_input', message);
  }
  try {
    return await tool.run(parsed.data, ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return failure(tool.name, asParams(parsed.data), 'internal', `${message}${cause}`);
  }
}

function asParams(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : { input };
}

export function failure<T = never>(
  tool: string,
  params: Record<string, unknown>,
  code: string,
  message: string,
  extra: Omit<ToolQuery, 'tool' | 'params'> = {},
): ToolResult<T> {
  return { status: 'error', error: { code, message }, query: { tool, params, ...extra } };
}

/** A result for a source the context does not have: an error the caller can read, never a throw. */
export function notConfigured<T = never>(
  tool: string,
  params: Record<string, unknown>,
  what: string,
): ToolResult<T> {
  return failure(tool, params, 'not_configured', `${what} is not configured in this copilot`);
}
