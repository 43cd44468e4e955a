/**
 * The instances bound to one lease. Most leases hold one instance (one per process is the
 * common shape, 100,000s of them), so a single member is kept as itself and a Set is made
 * only for the second: a Set costs ~150 bytes even when it holds one. Members are compared by
 * identity (the registry keeps its stored instance objects here, so a lease costs no key
 * string, and replaces one whenever it replaces the stored object).
 */
export type LeaseMembers<Member> = Member | Set<Member> | undefined;

export function addMember<Member>(
  members: LeaseMembers<Member>, member: Member,
): LeaseMembers<Member> {
  if (members === undefined || members === member) return member;
  if (!(members instanceof Set)) return new Set([members, member]);
  members.add(member);
  return members;
}

export function removeMember<Member>(
  members: LeaseMembers<Member>, member: Member,
): LeaseMembers<Member> {
  if (!(members instanceof Set)) return members === member ? undefined : members;
  members.delete(member);
  if (members.size === 1) return members.values().next().value as Member;
  return members.size === 0 ? undefined : members;
}

/** The members, in no particular order (callers sort). */
export function memberList<Member>(members: LeaseMembers<Member>): Member[] {
  if (members === undefined) return [];
  return members instanceof Set ? [...members] : [members];
}
