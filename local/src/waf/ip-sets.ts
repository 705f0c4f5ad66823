import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type BlockList, isIP } from 'node:net';
import { dirname } from 'node:path';
import { buildBlockList, parseCidr } from '@boundless/delivery';
import { LocalError } from '../errors.ts';

/**
 * WAFv2 IP sets as the local edge's web ACL reads them and as the local WAFv2 endpoint serves them: the same
 * fields, limits, errors and optimistic locking as AWS WAF, so the copilot's production WAF adapter runs
 * unchanged against this machine. Sets persist to a JSON file (rewritten on every change; changes are rare).
 */
export type WafScope = 'CLOUDFRONT' | 'REGIONAL';
export type IpAddressVersion = 'IPV4' | 'IPV6';

export interface IpSet {
  Name: string;
  Id: string;
  ARN: string;
  Description: string;
  IPAddressVersion: IpAddressVersion;
  Addresses: string[];
  Scope: WafScope;
  LockToken: string;
}

export type IpSetSummary = Pick<IpSet, 'Name' | 'Id' | 'ARN' | 'Description' | 'LockToken'>;

export type WafErrorCode =
  | 'WAFNonexistentItemException'
  | 'WAFOptimisticLockException'
  | 'WAFInvalidParameterException'
  | 'WAFDuplicateItemException'
  | 'WAFLimitsExceededException';

/** A request WAF refuses, named by the exception AWS WAF returns for it. */
export class WafError extends LocalError {
  constructor(
    readonly code: WafErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** AWS WAF quotas that matter here: addresses per IP set, IP sets per account and scope. */
const IP_SET_LIMITS = { addresses: 10_000, sets: 100 } as const;
const NAME = /^[\w-]{1,128}$/;

export interface IpSetRegistryOptions {
  /** JSON file the sets are loaded from and saved to; in memory only when absent. */
  file?: string;
  region?: string;
  accountId?: string;
}

interface StoredSet {
  set: IpSet;
  matcher: BlockList;
}

export class IpSetRegistry {
  readonly #sets = new Map<string, StoredSet>();
  readonly #file: string | undefined;
  readonly #region: string;
  readonly #accountId: string;
  /** Bumped on every change, so readers that keep per-address state can notice removals cheaply. */
  version = 0;

  constructor(options: IpSetRegistryOptions = {}) {
    this.#file = options.file;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    if (this.#file) {
      mkdirSync(dirname(this.#file), { recursive: true });
      for (const set of loadSets(this.#file)) this.#store(set);
    }
  }

  create(input: {
    Name: string;
    Scope: WafScope;
    IPAddressVersion: IpAddressVersion;
    Addresses: string[];
    Description?: string;
  }): IpSetSummary {
    assertName(input.Name);
    assertScope(input.Scope);
    if (input.IPAddressVersion !== 'IPV4' && input.IPAddressVersion !== 'IPV6')
      throw invalid('IPAddressVersion must be IPV4 or IPV6');
    if (this.#inScope(input.Scope).some((s) => s.Name === input.Name))
      throw new WafError('WAFDuplicateItemException', `an IP set named ${input.Name} already exists`);
    if (this.#sets.size >= IP_SET_LIMITS.sets)
      throw new WafError('WAFLimitsExceededException', `at most ${IP_SET_LIMITS.sets} IP sets`);
    const id = randomUUID();
    const set: IpSet = {
      Name: input.Name,
      Id: id,
      ARN: `arn:aws:wafv2:${this.#region}:${this.#accountId}:${input.Scope === 'CLOUDFRONT' ? 'global' : 'regional'}/ipset/${input.Name}/${id}`,
      Description: input.Description ?? '',
      IPAddressVersion: input.IPAddressVersion,
      Addresses: checkedAddresses(input.Addresses, input.IPAddressVersion),
      Scope: input.Scope,
      LockToken: randomUUID(),
    };
    this.#store(set);
    this.#save();
    return summaryOf(set);
  }

  /** The set named `name` in `scope`, created empty when there is none (the local runtime's setup). */
  ensure(name: string, scope: WafScope, version: IpAddressVersion, description = ''): IpSetSummary {
    const existing = this.#inScope(scope).find((s) => s.Name === name);
    if (existing) return summaryOf(existing);
    return this.create({
      Name: name,
      Scope: scope,
      IPAddressVersion: version,
      Addresses: [],
      Description: description,
    });
  }

  get(ref: { Name: string; Id: string; Scope: WafScope }): IpSet {
    const set = this.#sets.get(ref.Id)?.set;
    if (!set || set.Name !== ref.Name || set.Scope !== ref.Scope)
      throw new WafError('WAFNonexistentItemException', `no IP set ${ref.Name} with id ${ref.Id}`);
    return { ...set, Addresses: [...set.Addresses] };
  }

  list(scope: WafScope): IpSetSummary[] {
    assertScope(scope);
    return this.#inScope(scope)
      .map(summaryOf)
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** Replaces the set's addresses; `LockToken` must be the one last read, as AWS WAF requires. */
  update(input: {
    Name: string;
    Id: string;
    Scope: WafScope;
    Addresses: string[];
    LockToken: string;
    Description?: string;
  }): string {
    const current = this.get(input);
    if (input.LockToken !== current.LockToken)
      throw new WafError(
        'WAFOptimisticLockException',
        'the IP set changed since it was read; get it again and retry with the new lock token',
      );
    const set: IpSet = {
      ...current,
      Addresses: checkedAddresses(input.Addresses, current.IPAddressVersion),
      Description: input.Description ?? current.Description,
      LockToken: randomUUID(),
    };
    this.#store(set);
    this.#save();
    return set.LockToken;
  }

  /** Whether `ip` falls in the set with this id (false for an unknown set or an unreadable address). */
  contains(id: string, ip: string): boolean {
    const stored = this.#sets.get(id);
    const version = isIP(ip);
    if (!stored || version === 0) return false;
    return stored.matcher.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  }

  #inScope(scope: WafScope): IpSet[] {
    return [...this.#sets.values()].map((s) => s.set).filter((s) => s.Scope === scope);
  }

  #store(set: IpSet): void {
    this.#sets.set(set.Id, { set, matcher: buildBlockList(set.Addresses) });
    this.version++;
  }

  #save(): void {
    if (!this.#file) return;
    const sets = [...this.#sets.values()].map((s) => s.set);
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ipSets: sets }, null, 2)}\n`);
    renameSync(tmp, this.#file);
  }
}

function summaryOf(set: IpSet): IpSetSummary {
  return {
    Name: set.Name,
    Id: set.Id,
    ARN: set.ARN,
    Description: set.Description,
    LockToken: set.LockToken,
  };
}

function invalid(message: string): WafError {
  return new WafError('WAFInvalidParameterException', message);
}

function assertName(name: unknown): void {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalid('Name must be 1 to 128 letters, digits, hyphens or underscores');
}

function assertScope(scope: unknown): void {
  if (scope !== 'CLOUDFRONT' && scope !== 'REGIONAL') throw invalid('Scope must be CLOUDFRONT or REGIONAL');
}

/** WAF takes CIDR blocks only (a single address is `/32` or `/128`), all of the set's IP version. */
function checkedAddresses(addresses: unknown, version: IpAddressVersion): string[] {
  if (!Array.isArray(addresses)) throw invalid('Addresses must be a list of CIDR blocks');
  if (addresses.length > IP_SET_LIMITS.addresses)
    throw new WafError(
      'WAFLimitsExceededException',
      `an IP set holds at most ${IP_SET_LIMITS.addresses} addresses`,
    );
  const family = version === 'IPV4' ? 'ipv4' : 'ipv6';
  for (const address of addresses) {
    const parsed = typeof address === 'string' ? parseCidr(address) : undefined;
    if (!parsed || parsed.family !== family || parsed.prefix === 0)
      throw invalid(`${String(address)} is not an ${version} CIDR block (e.g. 192.0.2.44/32)`);
  }
  return [...new Set(addresses as string[])];
}

function loadSets(file: string): IpSet[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LocalError(`cannot read IP sets from ${file}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as { ipSets?: IpSet[] };
    const sets = parsed.ipSets;
    if (!Array.isArray(sets)) throw new Error('no ipSets list');
    for (const set of sets) {
      assertName(set.Name);
      assertScope(set.Scope);
      checkedAddresses(set.Addresses, set.IPAddressVersion);
      if (typeof set.Id !== 'string' || typeof set.LockToken !== 'string') throw new Error('set without id');
    }
    return sets;
  } catch (error) {
    throw new LocalError(`IP set file ${file} is not valid; fix or delete it`, { cause: error });
  }
}
