import { deviceId, type makeDevice, TOOL_AGENTS } from '../agents.ts';
import type { Title } from '../catalog.ts';
import type { PlannedLabel } from '../labels.ts';
import { COUNTRIES } from '../networks.ts';
import { draw, drawInt } from '../profiles.ts';
import { type RequestStream, type SimulatedRequest, simulatedRequest } from '../request.ts';
import type { Rng } from '../rng.ts';
import { readingSession, type SessionOutcome } from '../session.ts';
import { type IssuedToken, issueToken } from '../tokens.ts';
import type { World } from '../world.ts';
import {
  agentFor,
  appOrBrowserDevice,
  homeOrigin,
  hostingOrigin,
  minutes,
  type Origin,
  pickCountry,
  pickTitle,
  randomHomeOrigin,
  victimSession,
} from './kit.ts';
import type { Scenario } from './types.ts';

interface Victim {
  accountId: string;
  device: ReturnType<typeof makeDevice>;
  origin: Origin;
  title: Title;
}

function makeVictim(rng: Rng, world: World): Victim {
  const country = pickCountry(rng);
  return {
    accountId: `acc-${rng.id(12)}`,
    device: appOrBrowserDevice(rng),
    origin: homeOrigin(rng, world, country),
    title: pickTitle(rng, world, 'ebook'),
  };
}

/** Someone fetching chapters with a token they did not get from the access API. */
/**
 * A session read by someone other than the account's owner, on the owner's account. The title is drawn before
 * the duration, as every caller did inline: the draw order fixes each seed's logs.
 */
function strangerSession(
  rng: Rng,
  world: World,
  id: string,
  who: string,
  accountId: string,
  device: ReturnType<typeof makeDevice>,
  origin: Origin,
  start: number,
  duration: () => number,
): Generator<SimulatedRequest, SessionOutcome> {
  const title = pickTitle(rng, world);
  return readingSession({
    rng,
    world,
    actor: `abuse:${id}:${who}`,
    population: 'abuse',
    label: id,
    accountId,
    device,
    ip: origin.ip,
    country: origin.country,
    title,
    bookmark: 0,
    returning: false,
    start,
    durationMs: duration(),
    offline: false,
  });
}

function* tokenUse(
  rng: Rng,
  token: IssuedToken,
  title: Title,
  who: { actor: string; label: string; origin: Origin; deviceId: string; userAgent: string },
  start: number,
  requests: number,
  meanGapMs: number,
): Generator<SimulatedRequest> {
  let t = start;
  let chapter = rng.int(0, Math.max(1, title.sequence.length - requests));
  const port = rng.int(32768, 61000);
  for (let i = 0; i < requests; i++) {
    const path =
      i === 0 ? title.extras[0]! : (title.sequence[chapter++ % title.sequence.length] ?? title.extras[1]!);
    yield simulatedRequest({
      time: Math.round(t),
      actor: who.actor,
      population: 'abuse',
      label: who.label,
      ip: who.origin.ip,
      country: who.origin.country,
      path,
      token,
      deviceId: who.deviceId,
      userAgent: who.userAgent,
      port,
    });
    t += 500 + rng.exp(meanGapMs);
  }
}

/** A token posted on a forum: a crowd from many countries opens the victim's title with it until it expires. */
export function publicToken(rng: Rng, world: World, id: string, start: number): Scenario {
  const victim = makeVictim(rng, world);
  const sessionStart = start - minutes(rng.between(5, 25));
  const token = issueToken(
    rng,
    { accountId: victim.accountId, deviceId: victim.device.id, titleId: victim.title.id },
    sessionStart - 1500,
  );
  const label: PlannedLabel = {
    id,
    scenarioId: id,
    kind: 'token_sharing',
    subject: { tokenId: token.tokenId },
  };
  const crowd = drawInt(rng, world.ranges.abuse.publicToken.crowd);
  const copyDevice = draw(rng, world.ranges.abuse.publicToken.copyDevice);
  const streams: RequestStream[] = [victimSession(rng, world, victim, sessionStart, minutes(45), token)];
  let arrival = start;
  for (let i = 0; i < crowd; i++) {
    const copies = rng.chance(copyDevice);
    streams.push(
      tokenUse(
        rng,
        token,
        victim.title,
        {
          actor: `abuse:${id}:visitor${i}`,
          label: id,
          origin: randomHomeOrigin(rng, world),
          deviceId: copies ? victim.device.id : deviceId(rng),
          userAgent: copies ? victim.device.userAgent : agentFor(rng),
        },
        arrival,
        rng.int(2, 26),
        rng.logNormal(20_000, 0.8),
      ),
    );
    arrival += rng.exp(minutes(4));
  }
  return {
    id,
    kind: 'token_sharing',
    variant: 'public_token',
    description:
      'An access token (URL and device header) posted publicly; strangers in many countries open the title with it, some copying the device id (served), others not (403 device mismatch), until it expires.',
    plannedStart: start,
    params: {
      victimAccount: victim.accountId,
      tokenId: token.tokenId,
      titleId: victim.title.id,
      crowd,
      copyDevice,
    },
    labels: [label],
    streams,
  };
}

/** An account's credentials handed around: many devices beyond the three allowed, from several places. */
export function credentialSharing(rng: Rng, world: World, id: string, start: number): Scenario {
  const owner = makeVictim(rng, world);
  const streams: RequestStream[] = [];
  for (let d = 0; d < 3; d++) {
    const device = d === 0 ? owner.device : appOrBrowserDevice(rng);
    const title = pickTitle(rng, world);
    streams.push(
      victimSession(
        rng,
        world,
        { ...owner, device, title },
        start - minutes(rng.between(10, 120)),
        minutes(30),
      ),
    );
  }
  const sharers = drawInt(rng, world.ranges.abuse.credentialSharing.sharers);
  let arrival = start;
  for (let i = 0; i < sharers; i++) {
    const country = rng.chance(0.5)
      ? COUNTRIES.find((c) => c.code === owner.origin.country)!
      : pickCountry(rng);
    const device = appOrBrowserDevice(rng);
    const origin = homeOrigin(rng, world, country, device.type === 'phone' && rng.chance(0.5));
    streams.push(
      strangerSession(rng, world, id, `sharer${i}`, owner.accountId, device, origin, arrival, () =>
        minutes(rng.logNormal(30, 0.5)),
      ),
    );
    arrival += rng.exp(minutes(7));
  }
  return {
    id,
    kind: 'token_sharing',
    variant: 'credential_sharing',
    description:
      "Account credentials shared or resold: besides the owner's three devices, many more devices open sessions on the same account, each with its own valid token.",
    plannedStart: start,
    params: { accountId: owner.accountId, sharers, ownerCountry: owner.origin.country },
    labels: [{ id, scenarioId: id, kind: 'token_sharing', subject: { accountId: owner.accountId } }],
    streams,
  };
}

/** A stolen device identity used from the other side of the world minutes after the owner read at home. */
export function impossibleTravel(rng: Rng, world: World, id: string, start: number): Scenario {
  const victim = makeVictim(rng, world);
  const home = COUNTRIES.find((c) => c.code === victim.origin.country)!;
  const far = COUNTRIES.filter((c) => Math.abs(c.utcOffset - home.utcOffset) >= 7);
  const away = rng.pick(far);
  const origin = homeOrigin(rng, world, away);
  const streams: RequestStream[] = [
    victimSession(rng, world, victim, start - minutes(rng.between(15, 40)), minutes(60)),
  ];
  let t = start;
  for (let s = rng.int(1, 4); s > 0; s--) {
    streams.push(
      strangerSession(rng, world, id, `session${s}`, victim.accountId, victim.device, origin, t, () =>
        minutes(rng.between(15, 40)),
      ),
    );
    t += minutes(rng.between(45, 80));
  }
  return {
    id,
    kind: 'token_sharing',
    variant: 'impossible_travel',
    description:
      "The victim's device identity (account and device id) is used from a country many hours of flight away while the victim is still reading at home.",
    plannedStart: start,
    params: { accountId: victim.accountId, home: home.code, away: away.code },
    labels: [{ id, scenarioId: id, kind: 'token_sharing', subject: { accountId: victim.accountId } }],
    streams,
  };
}

/** A captured token replayed from another device: the edge refuses every request (403 device mismatch). */
export function deviceMismatchReplay(rng: Rng, world: World, id: string, start: number): Scenario {
  const victim = makeVictim(rng, world);
  const sessionStart = start - minutes(rng.between(5, 60));
  const token = issueToken(
    rng,
    { accountId: victim.accountId, deviceId: victim.device.id, titleId: victim.title.id },
    sessionStart - 1500,
  );
  const origin = rng.chance(0.5) ? hostingOrigin(rng, world) : randomHomeOrigin(rng, world);
  const attempts = drawInt(rng, world.ranges.abuse.replay.attempts);
  const streams: RequestStream[] = [
    victimSession(rng, world, victim, sessionStart, minutes(50), token),
    tokenUse(
      rng,
      token,
      victim.title,
      {
        actor: `abuse:${id}:replayer`,
        label: id,
        origin,
        deviceId: deviceId(rng),
        userAgent: rng.chance(0.5) ? rng.pick(TOOL_AGENTS) : agentFor(rng),
      },
      start,
      attempts,
      rng.between(3_000, 20_000),
    ),
  ];
  return {
    id,
    kind: 'token_sharing',
    variant: 'device_mismatch_replay',
    description:
      'A token captured from the victim (proxy log, shared screenshot) is replayed with a different device id; every request is refused at the edge with 403.',
    plannedStart: start,
    params: { tokenId: token.tokenId, victimAccount: victim.accountId, replayIp: origin.ip, attempts },
    labels: [{ id, scenarioId: id, kind: 'token_sharing', subject: { tokenId: token.tokenId } }],
    streams,
  };
}

/**
 * A sharing ring: one subscription used all day by several people in their own homes (some abroad), each on
 * a device of their own, so the account runs far more devices than its limit, though rarely all at once.
 */
export function sharingRing(rng: Rng, world: World, id: string, start: number): Scenario {
  const r = world.ranges.abuse.ring;
  const owner = makeVictim(rng, world);
  const members = drawInt(rng, r.members);
  const streams: RequestStream[] = [];
  for (let m = 0; m < members; m++) {
    const country = rng.chance(0.6)
      ? COUNTRIES.find((c) => c.code === owner.origin.country)!
      : pickCountry(rng);
    const device = appOrBrowserDevice(rng);
    const origin = homeOrigin(rng, world, country);
    const sessions = Math.max(
      1,
      Math.round(draw(rng, r.sessionsPerMember) * ((world.end - start) / 86_400_000)),
    );
    const member = m;
    streams.push(
      (function* (): Generator<SimulatedRequest> {
        let t = start + rng.between(0, 2 * 3_600_000);
        for (let s = 0; s < sessions && t < world.end; s++) {
          const outcome = yield* strangerSession(
            rng,
            world,
            id,
            `member${member}`,
            owner.accountId,
            device,
            origin,
            t,
            () => minutes(rng.logNormal(30, 0.5)),
          );
          t = outcome.end + rng.exp(((world.end - start) / sessions) * 0.9);
        }
      })(),
    );
  }
  return {
    id,
    kind: 'token_sharing',
    variant: 'sharing_ring',
    description:
      'A subscription shared by a ring of people, each reading on their own device at home (some abroad) through the day: far more devices than the account may have.',
    plannedStart: start,
    params: { accountId: owner.accountId, members },
    labels: [{ id, scenarioId: id, kind: 'token_sharing', subject: { accountId: owner.accountId } }],
    streams,
  };
}

/**
 * Spoofed device ids: members of a ring copy the owner's device id into their own clients, so the account
 * never shows more devices than allowed; the same device then reads in several homes at once.
 */
export function spoofedDevice(rng: Rng, world: World, id: string, start: number): Scenario {
  const owner = makeVictim(rng, world);
  const members = drawInt(rng, world.ranges.abuse.spoofedDevice.members);
  const streams: RequestStream[] = [
    victimSession(rng, world, owner, start - minutes(rng.between(5, 30)), minutes(rng.between(40, 120))),
  ];
  let arrival = start;
  for (let m = 0; m < members; m++) {
    const country = rng.chance(0.5)
      ? COUNTRIES.find((c) => c.code === owner.origin.country)!
      : pickCountry(rng);
    const origin = homeOrigin(rng, world, country, rng.chance(0.3));
    const ownClient = appOrBrowserDevice(rng);
    streams.push(
      strangerSession(
        rng,
        world,
        id,
        `member${m}`,
        owner.accountId,
        { ...ownClient, id: owner.device.id },
        origin,
        arrival,
        () => minutes(rng.logNormal(35, 0.5)),
      ),
    );
    arrival += rng.exp(minutes(6));
  }
  return {
    id,
    kind: 'token_sharing',
    variant: 'spoofed_device',
    description:
      "Ring members present the owner's device id from their own clients: never more devices than allowed, but one device reading in several homes at the same time.",
    plannedStart: start,
    params: { accountId: owner.accountId, members, ownerCountry: owner.origin.country },
    labels: [{ id, scenarioId: id, kind: 'token_sharing', subject: { accountId: owner.accountId } }],
    streams,
  };
}
