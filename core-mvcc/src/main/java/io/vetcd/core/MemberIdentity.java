package io.vetcd.core;

/**
 * Who answers: the ids etcd puts in every response header. A single-member cluster never changes
 * leader, so its raft term stays where a fresh etcd member's first election leaves it.
 */
public record MemberIdentity(long clusterId, long memberId, long raftTerm) {}
