package io.vetcd.core.mvcc;

import io.vetcd.proto.mvccpb.KeyValue;
import java.util.List;

/**
 * What a range read found.
 *
 * @param kvs      the live values in key order, at most the limit asked for
 * @param count    how many keys the whole range holds at the read revision, whatever the limit
 * @param revision the current revision of the view that answered (etcd's response header revision)
 */
public record RangeResult(List<KeyValue> kvs, long count, long revision) {}
