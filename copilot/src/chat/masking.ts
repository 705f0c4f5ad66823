import { isIPv6 } from 'node:net';
import { mapStrings } from './json-walk.ts';

/**
 * Reversible masking of what must not leave the machine for a model provider: access tokens and secrets, IP
 * addresses, e-mail addresses and account ids. Each distinct value gets a stable placeholder for the whole
 * incident (`<ip-1>` is the same address in every message), so the model can still reason about "the same
 * address" and call tools with it; tool arguments and answers are restored before anyone reads them.
 */
export type MaskKind = 'token' | 'secret' | 'email' | 'account' | 'ip';

export interface MaskVault {
  /** [placeholder, original] in the order they were first seen. */
  entries: [string, string][];
}

interface Rule {
  kind: MaskKind;
  pattern: RegExp;
  /** The capture group holding the value; 0 is the whole match. */
  group: number;
  accept?: (value: string) => boolean;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Characters a placeholder or a JSON/URL delimiter uses: never part of a masked value. */
const VALUE = `[^\\s"'&,;{}()<>\\[\\]\\\\]`;

// Order matters: whole tokens before the addresses and ids they may contain.
const RULES: Rule[] = [
  // JSON Web Tokens (three base64url parts, the header starting with {" -> eyJ).
  { kind: 'token', pattern: /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g, group: 0 },
  // Edge access tokens (DESIGN §4.1): v1.<kid>.<tokenId>.<accountId>.<deviceHash>.<iat>.<exp>.<scope>.<sig>.
  {
    kind: 'token',
    pattern: /\bv1\.[A-Za-z0-9]{1,8}\.[\w-]{8,40}\.[\w-]{1,64}\.[0-9a-f]{16}\.\d+\.\d+\.[\w-]*\.[\w-]{2,}/g,
    group: 0,
  },
  { kind: 'secret', pattern: /\b(?:AKIA|ASIA|AROA|AIDA|AGPA|ANPA)[A-Z0-9]{16}\b/g, group: 0 },
  { kind: 'token', pattern: /\bBearer\s+([\w.~+/-]{12,}=*)/gi, group: 1 },
  {
    kind: 'secret',
    pattern: new RegExp(
      `\\b(?:password|passwd|secret|client[_-]?secret|api[_-]?key|private[_-]?key|signature|x-amz-security-token)\\\\?["']?\\s*[:=]\\s*\\\\?["']?(${VALUE}{6,})`,
      'gi',
    ),
    group: 1,
  },
  {
    kind: 'token',
    pattern: new RegExp(
      `\\b(?:token|token[_-]?id|access[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|bbt|jwt)\\\\?["']?\\s*[:=]\\s*\\\\?["']?(${VALUE}{6,})`,
      'gi',
    ),
    group: 1,
  },
  {
    kind: 'email',
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    group: 0,
  },
  { kind: 'account', pattern: /\barn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/g, group: 1 },
  {
    kind: 'account',
    pattern: new RegExp(
      `\\b(?:account|account[_-]?id|aws[_-]?account(?:[_-]?id)?|owner[_-]?id|user[_-]?id|user[_-]?name|username|customer[_-]?id|sub)\\\\?["']?\\s*[:=]\\s*\\\\?["']?(${VALUE}{2,64})`,
      'gi',
    ),
    group: 1,
  },
  // A bare 12-digit number is how AWS account ids travel; longer or shorter digit runs are not.
  { kind: 'account', pattern: /(?<![\d.])\d{12}(?![\d.])/g, group: 0 },
  { kind: 'ip', pattern: new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?![\\d.]*\\d)`, 'g'), group: 0 },
  {
    kind: 'ip',
    pattern: /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g,
    group: 0,
    accept: (value) => isIPv6(value) && /[0-9A-Fa-f]/.test(value),
  },
];

const PLACEHOLDER = /<(token|secret|email|account|ip)-(\d+)>/g;
/** A placeholder is never longer than this: enough for `<account-99999>`. */
const MAX_PLACEHOLDER = 16;

export class Masker {
  private readonly byOriginal = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly counts = new Map<MaskKind, number>();
  /** Values known to be sensitive whatever their shape (the incident's subject), longest first. */
  private known: { value: string; kind: MaskKind; pattern: RegExp }[] = [];

  constructor(vault?: MaskVault) {
    for (const [placeholder, original] of vault?.entries ?? []) {
      const kind = /^<([a-z]+)-(\d+)>$/.exec(placeholder);
      if (!kind) continue;
      this.byOriginal.set(original, placeholder);
      this.byPlaceholder.set(placeholder, original);
      const n = Number(kind[2]);
      this.counts.set(kind[1] as MaskKind, Math.max(this.counts.get(kind[1] as MaskKind) ?? 0, n));
    }
  }

  /** Masks this exact value wherever it appears from now on, even where no pattern would recognise it. */
  remember(value: string, kind: MaskKind): void {
    if (value.length < 2 || this.known.some((k) => k.value === value)) return;
    // Whole values only: a remembered `acct-4` must not eat the start of `acct-42`.
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.known.push({ value, kind, pattern: new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g') });
    this.known.sort((a, b) => b.value.length - a.value.length);
  }

  mask(text: string): string {
    let out = text;
    for (const { value, kind, pattern } of this.known) {
      if (out.includes(value)) out = out.replace(pattern, () => this.placeholderFor(value, kind));
    }
    for (const rule of RULES) {
      out = out.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
        const value = rule.group === 0 ? match : (groups[rule.group - 1] as string | undefined);
        if (!value || (rule.accept && !rule.accept(value))) return match;
        const at = rule.group === 0 ? 0 : match.lastIndexOf(value);
        return match.slice(0, at) + this.placeholderFor(value, rule.kind) + match.slice(at + value.length);
      });
    }
    return out;
  }

  /** Masks every string inside a JSON-like value (keys included). */
  maskDeep<T>(value: T): T {
    return mapStrings(value, (s) => this.mask(s), true) as T;
  }

  unmask(text: string): string {
    return text.replace(PLACEHOLDER, (placeholder) => this.byPlaceholder.get(placeholder) ?? placeholder);
  }

  unmaskDeep<T>(value: T): T {
    return mapStrings(value, (s) => this.unmask(s), true) as T;
  }

  /** How many distinct values were masked, by kind (for the turn's report; never the values). */
  summary(): Partial<Record<MaskKind, number>> {
    return Object.fromEntries(this.counts);
  }

  toJSON(): MaskVault {
    return { entries: [...this.byPlaceholder] };
  }

  private placeholderFor(value: string, kind: MaskKind): string {
    const existing = this.byOriginal.get(value);
    if (existing) return existing;
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    const placeholder = `<${kind}-${n}>`;
    this.byOriginal.set(value, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }
}

/**
 * Restores placeholders in a streamed answer. A placeholder may arrive split over deltas (`<ip` then `-1>`), so
 * a tail that could still become one is held back until the next delta or the end.
 */
export class StreamingUnmasker {
  private pending = '';

  constructor(private readonly masker: Masker) {}

  push(delta: string): string {
    this.pending += delta;
    const open = this.pending.lastIndexOf('<');
    let cut = this.pending.length;
    if (open >= 0) {
      const tail = this.pending.slice(open);
      if (tail.length < MAX_PLACEHOLDER && /^<[a-z]*(?:-\d*)?$/.test(tail)) cut = open;
    }
    const ready = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return this.masker.unmask(ready);
  }

  flush(): string {
    const rest = this.masker.unmask(this.pending);
    this.pending = '';
    return rest;
  }
}
