import { describe, expect, it } from 'vitest';
import {
  addMember, memberKeys, removeMember, type LeaseMembers,
} from '../../src/registry/lease-members.js';

describe('lease members', () => {
  it('holds one key as a string and more in a set', () => {
    let members: LeaseMembers = undefined;
    members = addMember(members, 'a');
    expect(members).toBe('a');
    members = addMember(members, 'a');
    expect(members).toBe('a');
    members = addMember(members, 'b');
    expect(members).toBeInstanceOf(Set);
    members = addMember(members, 'c');
    expect(memberKeys(members).sort()).toEqual(['a', 'b', 'c']);
  });

  it('shrinks back to a string, then to nothing', () => {
    let members: LeaseMembers = addMember(addMember('a', 'b'), 'c');
    members = removeMember(members, 'b');
    members = removeMember(members, 'x');
    expect(memberKeys(members).sort()).toEqual(['a', 'c']);
    members = removeMember(members, 'a');
    expect(members).toBe('c');
    expect(removeMember(members, 'x')).toBe('c');
    expect(removeMember(members, 'c')).toBeUndefined();
    expect(memberKeys(undefined)).toEqual([]);
  });
});
