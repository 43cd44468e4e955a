/**
 * The instances bound to one lease, by formatKey(). Most leases hold one instance (one per
 * process is the common shape, 100,000s of them), so a single key is kept as a plain string
 * and a Set is made only for the second: a Set costs ~150 bytes even when it holds one.
 */
export type LeaseMembers = string | Set<string> | undefined;

export function addMember(members: LeaseMembers, key: string): LeaseMembers {
  if (members === undefined || members === key) return key;
  if (typeof members === 'string') return new Set([members, key]);
  members.add(key);
  return members;
}

export function removeMember(members: LeaseMembers, key: string): LeaseMembers {
  if (members === undefined || typeof members === 'string') {
    return members === key ? undefined : members;
  }
  members.delete(key);
  if (members.size === 1) return members.values().next().value as string;
  return members.size === 0 ? undefined : members;
}

/** The keys, in no particular order (callers sort). */
export function memberKeys(members: LeaseMembers): string[] {
  if (members === undefined) return [];
  return typeof members === 'string' ? [members] : [...members];
}
