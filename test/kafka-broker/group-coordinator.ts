import { randomUUID } from 'node:crypto';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

/** Group states of Kafka's classic GroupCoordinator (Dead is not needed: groups are never deleted). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupInput {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly protocolType: string;
  readonly protocols: readonly GroupProtocol[];
  readonly clientId: string | null;
}

export interface JoinGroupResult {
  readonly errorCode: ErrorCodeValue;
  readonly generationId: number;
  readonly protocolName: string;
  readonly leaderId: string;
  readonly memberId: string;
  /** Filled for the leader only, as in Kafka. */
  readonly members: readonly { memberId: string; metadata: Buffer }[];
}

export interface SyncGroupResult {
  readonly errorCode: ErrorCodeValue;
  readonly assignment: Buffer;
}

interface Member {
  readonly memberId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  assignment: Buffer;
  lastSeen: number;
  awaitingJoin: ((result: JoinGroupResult) => void) | null;
  awaitingSync: ((result: SyncGroupResult) => void) | null;
}

interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
}

interface Group {
  readonly groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  readonly members: Map<string, Member>;
  /** Member ids handed out with MEMBER_ID_REQUIRED (JoinGroup v4+), with their expiry time. */
  readonly pendingMembers: Map<string, number>;
  rebalanceTimer: NodeJS.Timeout | null;
  readonly offsets: Map<string, CommittedOffset>;
}

export interface GroupCoordinatorOptions {
  /** Kafka's group.min.session.timeout.ms / group.max.session.timeout.ms. */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly now: () => number;
}

export type OffsetCommitOutcome = 'commit' | ErrorCodeValue;

const EMPTY = Buffer.alloc(0);
const offsetKey = (topic: string, partition: number): string => `${partition}:${topic}`;

/**
 * The classic (pre-KIP-848) consumer group protocol of Kafka's GroupCoordinator, for one node:
 * JoinGroup waits until every known member has rejoined (or the rebalance timeout removes the laggards),
 * the first member becomes leader, SyncGroup hands out the leader's assignment, Heartbeat reports
 * REBALANCE_IN_PROGRESS while a rebalance is being prepared, and members whose session expires are
 * removed and trigger a rebalance. Committed offsets live with the group.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: GroupCoordinatorOptions) {}

  /** JoinGroup v4+ semantics: an empty member id gets MEMBER_ID_REQUIRED and an id to rejoin with. */
  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    const failed = (errorCode: ErrorCodeValue, memberId = input.memberId): Promise<JoinGroupResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });

    if (input.groupId === '') return failed(ErrorCode.INVALID_GROUP_ID);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = this.options;
    if (input.sessionTimeoutMs < minSessionTimeoutMs || input.sessionTimeoutMs > maxSessionTimeoutMs) {
      return failed(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const group = this.groupOrCreate(input.groupId);
    if (!this.supportsProtocols(group, input.protocolType, input.protocols, input.memberId)) {
      return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }

    if (input.memberId === '') {
      const memberId = `${input.clientId ?? 'client'}-${randomUUID()}`;
      group.pendingMembers.set(memberId, this.options.now() + input.sessionTimeoutMs);
      return failed(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }

    if (group.pendingMembers.delete(input.memberId)) {
      return this.addMemberAndRebalance(group, input);
    }

    const member = group.members.get(input.memberId);
    if (!member) return failed(ErrorCode.UNKNOWN_MEMBER_ID);

    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, input);
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, input.protocols)) {
          // A retried join for the generation already formed: answer it again.
          return Promise.resolve(this.joinResultFor(group, member));
        }
        return this.updateMemberAndRebalance(group, member, input);
      case 'Stable':
        if (member.memberId === group.leaderId || !sameProtocols(member.protocols, input.protocols)) {
          return this.updateMemberAndRebalance(group, member, input);
        }
        member.lastSeen = this.options.now();
        return Promise.resolve(this.joinResultFor(group, member));
      case 'Empty':
        // A group with members is never Empty.
        return failed(ErrorCode.UNKNOWN_MEMBER_ID);
      default: {
        const _never: never = group.state;
        return _never;
      }
    }
  }

  syncGroup(groupId: string, generationId: number, memberId: string, assignments: readonly { memberId: string; assignment: Buffer }[]): Promise<SyncGroupResult> {
    const failed = (errorCode: ErrorCodeValue): Promise<SyncGroupResult> => Promise.resolve({ errorCode, assignment: EMPTY });
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return failed(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return failed(ErrorCode.ILLEGAL_GENERATION);
    member.lastSeen = this.options.now();

    switch (group.state) {
      case 'Empty':
        return failed(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return failed(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance':
        return new Promise<SyncGroupResult>((resolve) => {
          member.awaitingSync = resolve;
          if (memberId === group.leaderId) {
            const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
            for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY;
            group.state = 'Stable';
            for (const m of group.members.values()) {
              const callback = m.awaitingSync;
              m.awaitingSync = null;
              callback?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
            }
          }
        });
      default: {
        const _never: never = group.state;
        return _never;
      }
    }
  }

  heartbeat(groupId: string, generationId: number, memberId: string): ErrorCodeValue {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        member.lastSeen = this.options.now();
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        member.lastSeen = this.options.now();
        return ErrorCode.NONE;
      default: {
        const _never: never = group.state;
        return _never;
      }
    }
  }

  leaveGroup(groupId: string, memberId: string): ErrorCodeValue {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.pendingMembers.delete(memberId)) return ErrorCode.NONE;
    if (!group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, memberId);
    return ErrorCode.NONE;
  }

  /** Decides whether an OffsetCommit may write, following Kafka's GroupCoordinator.handleCommitOffsets. */
  authorizeCommit(groupId: string, generationId: number, memberId: string): OffsetCommitOutcome {
    const group = this.groups.get(groupId);
    if (!group) return generationId < 0 ? 'commit' : ErrorCode.ILLEGAL_GENERATION;
    if (generationId < 0 && group.state === 'Empty') return 'commit';
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    member.lastSeen = this.options.now();
    return 'commit';
  }

  commitOffset(groupId: string, topic: string, partition: number, offset: number, metadata: string | null): void {
    this.groupOrCreate(groupId).offsets.set(offsetKey(topic, partition), { offset, metadata });
  }

  committedOffset(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(offsetKey(topic, partition));
  }

  /** Every committed offset of a group, for OffsetFetch with null topics and for test introspection. */
  committedOffsets(groupId: string): { topic: string; partition: number; offset: number; metadata: string | null }[] {
    const group = this.groups.get(groupId);
    if (!group) return [];
    return [...group.offsets.entries()].map(([key, value]) => {
      const separator = key.indexOf(':');
      return { topic: key.slice(separator + 1), partition: Number(key.slice(0, separator)), ...value };
    });
  }

  describe(groupId: string): { state: GroupState; generationId: number; leaderId: string | null; memberIds: string[] } | undefined {
    const group = this.groups.get(groupId);
    if (!group) return undefined;
    return { state: group.state, generationId: group.generationId, leaderId: group.leaderId, memberIds: [...group.members.keys()] };
  }

  /** Removes members whose session expired (and stale MEMBER_ID_REQUIRED ids); called periodically. */
  expireSessions(): void {
    const now = this.options.now();
    for (const group of this.groups.values()) {
      for (const [memberId, expiresAt] of group.pendingMembers) {
        if (expiresAt <= now) group.pendingMembers.delete(memberId);
      }
      for (const member of [...group.members.values()]) {
        // Members parked in JoinGroup/SyncGroup are alive by definition (Kafka's shouldKeepAlive).
        const parked = member.awaitingJoin !== null || member.awaitingSync !== null;
        if (!parked && member.lastSeen + member.sessionTimeoutMs <= now) this.removeMember(group, member.memberId);
      }
      if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    }
  }

  /** Stops timers; parked requests are answered by their closing connections. */
  close(): void {
    for (const group of this.groups.values()) {
      if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
      group.rebalanceTimer = null;
    }
  }

  private groupOrCreate(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = {
        groupId,
        state: 'Empty',
        generationId: 0,
        protocolType: null,
        protocolName: null,
        leaderId: null,
        members: new Map(),
        pendingMembers: new Map(),
        rebalanceTimer: null,
        offsets: new Map(),
      };
      this.groups.set(groupId, group);
    }
    return group;
  }

  private supportsProtocols(group: Group, protocolType: string, protocols: readonly GroupProtocol[], memberId: string): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    const others = [...group.members.values()].filter((m) => m.memberId !== memberId);
    if (others.length === 0) return true;
    if (group.protocolType !== protocolType) return false;
    return protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  private addMemberAndRebalance(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    return new Promise<JoinGroupResult>((resolve) => {
      const member: Member = {
        memberId: input.memberId,
        sessionTimeoutMs: input.sessionTimeoutMs,
        rebalanceTimeoutMs: input.rebalanceTimeoutMs,
        protocols: input.protocols,
        assignment: EMPTY,
        lastSeen: this.options.now(),
        awaitingJoin: resolve,
        awaitingSync: null,
      };
      group.members.set(member.memberId, member);
      group.leaderId ??= member.memberId;
      group.protocolType ??= input.protocolType;
      this.prepareRebalance(group);
    });
  }

  private updateMemberAndRebalance(group: Group, member: Member, input: JoinGroupInput): Promise<JoinGroupResult> {
    return new Promise<JoinGroupResult>((resolve) => {
      member.sessionTimeoutMs = input.sessionTimeoutMs;
      member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
      member.protocols = input.protocols;
      member.lastSeen = this.options.now();
      member.awaitingJoin = resolve;
      this.prepareRebalance(group);
    });
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      // The generation being synced is abandoned: parked SyncGroups learn it now.
      for (const member of group.members.values()) {
        const callback = member.awaitingSync;
        member.awaitingSync = null;
        callback?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    if (group.state !== 'PreparingRebalance') {
      group.state = 'PreparingRebalance';
      const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeoutMs));
      group.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(group), timeout);
      group.rebalanceTimer.unref();
    }
    this.maybeCompleteJoin(group);
  }

  private onRebalanceTimeout(group: Group): void {
    group.rebalanceTimer = null;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null) group.members.delete(member.memberId);
    }
    group.pendingMembers.clear();
    this.completeJoin(group);
  }

  private maybeCompleteJoin(group: Group): void {
    const everyoneJoined = [...group.members.values()].every((m) => m.awaitingJoin !== null);
    if (everyoneJoined && group.pendingMembers.size === 0) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.rebalanceTimer) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
    group.generationId += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolType = null;
      group.protocolName = null;
      group.leaderId = null;
      return;
    }
    if (group.leaderId === null || !group.members.has(group.leaderId)) {
      group.leaderId = group.members.keys().next().value ?? null;
    }
    group.protocolName = this.selectProtocol(group);
    group.state = 'CompletingRebalance';
    const now = this.options.now();
    for (const member of group.members.values()) {
      const callback = member.awaitingJoin;
      member.awaitingJoin = null;
      member.lastSeen = now;
      callback?.(this.joinResultFor(group, member));
    }
  }

  /** Kafka's vote: each member votes for its most preferred protocol among those all members support. */
  private selectProtocol(group: Group): string {
    const members = [...group.members.values()];
    const candidates = members[0].protocols
      .map((p) => p.name)
      .filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const member of members) {
      const vote = member.protocols.find((p) => candidates.includes(p.name));
      if (vote) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  private joinResultFor(group: Group, member: Member): JoinGroupResult {
    const protocolName = group.protocolName ?? '';
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName,
      leaderId: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            metadata: m.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }

  private removeMember(group: Group, memberId: string): void {
    const member = group.members.get(memberId);
    if (!member) return;
    group.members.delete(memberId);
    member.awaitingJoin?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: '', leaderId: '', memberId, members: [] });
    member.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (group.leaderId === memberId) group.leaderId = group.members.keys().next().value ?? null;
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group);
        break;
      case 'PreparingRebalance':
        this.maybeCompleteJoin(group);
        break;
      case 'Empty':
        break;
      default: {
        const _never: never = group.state;
        throw new Error(`unexpected group state ${String(_never)}`);
      }
    }
  }
}

function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
