import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test support: a local CloudFormation endpoint speaking the Query protocol the SDK uses (form-encoded
 * `Action=...` requests, XML answers), for the four calls a change-set apply makes. Each stack is scripted: whether
 * its change sets contain changes, how many polls they stay in progress, and how the update ends.
 */
const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface StandInStack {
  /** The change set FAILs with "didn't contain any changes". */
  noChanges?: boolean;
  /** How the stack ends after ExecuteChangeSet. @default 'UPDATE_COMPLETE' */
  outcome?: string;
  outcomeReason?: string;
  /** Polls answered `*_IN_PROGRESS` / `CREATE_PENDING` before the final status. @default 1 */
  pendingPolls?: number;
}

export interface StandInRequest {
  action: string;
  params: Record<string, string>;
}

interface ChangeSetState {
  id: string;
  stack: string;
  name: string;
  polls: number;
  executed: boolean;
  stackPolls: number;
}

export class CloudFormationStandIn {
  /** Every request that reached the server, errors included, in order. */
  readonly requests: StandInRequest[] = [];
  /** Answers to give before any real one: an HTTP status and an error code (e.g. 400 `Throttling`, 503). */
  readonly failNext: Array<{ status: number; code: string }> = [];
  private readonly changeSets = new Map<string, ChangeSetState>();
  private server: Server | undefined;

  constructor(private readonly stacks: Record<string, StandInStack>) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.server ? this.server.close((e) => (e ? reject(e) : resolve())) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params.Action ?? '';
    this.requests.push({ action, params });
    const failure = this.failNext.shift();
    if (failure) return this.error(res, failure.status, failure.code, 'injected failure');
    const stack = this.stacks[params.StackName ?? ''];
    if (!stack) return this.error(res, 400, 'ValidationError', `Stack [${params.StackName}] does not exist`);
    switch (action) {
      case 'CreateChangeSet': {
        const id = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${params.ChangeSetName}/${this.changeSets.size + 1}`;
        const state = { id, stack: params.StackName as string, name: params.ChangeSetName as string };
        this.changeSets.set(id, { ...state, polls: 0, executed: false, stackPolls: 0 });
        return this.ok(res, action, `<Id>${id}</Id><StackId>${stackId(state.stack)}</StackId>`);
      }
      case 'DescribeChangeSet': {
        const cs = this.changeSetOf(params);
        if (!cs) return this.error(res, 404, 'ChangeSetNotFound', 'no such change set');
        const pending = cs.polls++ < (stack.pendingPolls ?? 1);
        const [status, reason] = pending
          ? ['CREATE_IN_PROGRESS', '']
          : stack.noChanges
            ? [
                'FAILED',
                "The submitted information didn't contain changes. Submit different information to create a change set.",
              ]
            : ['CREATE_COMPLETE', ''];
        return this.ok(
          res,
          action,
          `<ChangeSetId>${cs.id}</ChangeSetId><ChangeSetName>${cs.name}</ChangeSetName><StackName>${cs.stack}</StackName>` +
            `<Status>${status}</Status>${reason ? `<StatusReason>${escapeXml(reason)}</StatusReason>` : ''}` +
            `<ExecutionStatus>${status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE'}</ExecutionStatus>`,
        );
      }
      case 'ExecuteChangeSet': {
        const cs = this.changeSetOf(params);
        if (!cs) return this.error(res, 404, 'ChangeSetNotFound', 'no such change set');
        cs.executed = true;
        return this.ok(res, action, '');
      }
      case 'DescribeStacks': {
        const cs = [...this.changeSets.values()]
          .reverse()
          .find((c) => c.stack === params.StackName && c.executed);
        let status = 'UPDATE_COMPLETE';
        let reason = '';
        if (cs) {
          const pending = cs.stackPolls++ < (stack.pendingPolls ?? 1);
          status = pending ? 'UPDATE_IN_PROGRESS' : (stack.outcome ?? 'UPDATE_COMPLETE');
          reason = pending ? '' : (stack.outcomeReason ?? '');
        }
        return this.ok(
          res,
          action,
          `<Stacks><member><StackName>${params.StackName}</StackName><StackId>${stackId(params.StackName as string)}</StackId>` +
            `<CreationTime>2026-12-01T00:00:00Z</CreationTime><StackStatus>${status}</StackStatus>` +
            `${reason ? `<StackStatusReason>${escapeXml(reason)}</StackStatusReason>` : ''}</member></Stacks>`,
        );
      }
      default:
        return this.error(res, 400, 'InvalidAction', `unsupported action ${action}`);
    }
  }

  private changeSetOf(params: Record<string, string>): ChangeSetState | undefined {
    const ref = params.ChangeSetName ?? '';
    return (
      this.changeSets.get(ref) ??
      [...this.changeSets.values()].reverse().find((c) => c.name === ref && c.stack === params.StackName)
    );
  }

  private ok(res: ServerResponse, action: string, result: string): void {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
        `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${action}Response>`,
    );
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`,
    );
  }
}

function stackId(stack: string): string {
  return `arn:aws:cloudformation:us-east-1:123456789012:stack/${stack}/0`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}
