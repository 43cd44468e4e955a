import { describe, expect, it } from 'vitest';
import {
  addMember, memberList, removeMember, type LeaseMembers,
} from '../../src/registry/lease-members.js';

describe('lease members', () => {
  it('holds one key as a string and more in a set', () => {
    let members: LeaseMembers<string> = undefined;
    members = addMember(members, 'a');
    expect(members).toBe('a');
    members = addMember(members, 'a');
    expect(members).toBe('a');
    members = addMember(members, 'b');
    expect(members).toBeInstanceOf(Set);
    members = addMember(members, 'c');
    expect(memberList(members).sort()).toEqual(['a', 'b', 'c']);
  });

  it('shrinks back to a string, then to nothing', () => {
    let members: LeaseMembers<string> = addMember(addMember('a', 'b'), 'c');
    members = removeMember(members, 'b');
    members = removeMember(members, 'x');
    expect(memberList(members).sort()).toEqual(['a', 'c']);
    members = removeMember(members, 'a');
    expect(members).toBe('c');
    expect(removeMember(members, 'x')).toBe('c');
    expect(removeMember(members, 'c')).toBeUndefined();
    expect(memberList(undefined)).toEqual([]);
  });
});
