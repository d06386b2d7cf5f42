package io.vetcd.core.backend;

import io.vetcd.proto.mvccpb.KeyValue;

/**
 * One change as the backend keeps it, addressed by its revision {@code (main, sub)} like etcd's
 * {@code key} bucket: a new version of a key, or the key's deletion.
 *
 * @param main      the main revision of the request that made the change
 * @param sub       its position among that request's changes (0, 1, ...)
 * @param kv        the version as reads return it; for a tombstone only the key and the mod revision
 *                  (the deletion's main revision) are set
 * @param tombstone whether this change deleted the key
 */
public record StoredVersion(long main, int sub, KeyValue kv, boolean tombstone) {}
