package io.vetcd.core.watch;

import com.google.protobuf.ByteString;

/**
 * What one watcher asks for (etcd's {@code WatchCreateRequest} less the stream's own fields).
 *
 * @param key           the key, or the start of the range
 * @param rangeEnd      empty: the single key; {@code "\0"}: every key from {@code key}; else the end of
 *                      the half-open range {@code [key, rangeEnd)}
 * @param startRevision the first revision to report (0 or less: the next one); a revision below the
 *                      compaction point ends the watch with {@link WatchSink#compacted}
 * @param noPut         etcd's NOPUT filter: PUT events are not reported
 * @param noDelete      etcd's NODELETE filter: DELETE events are not reported
 * @param prevKv        each event carries the key's previous version, if it had one
 */
public record WatchSpec(ByteString key, ByteString rangeEnd, long startRevision, boolean noPut, boolean noDelete,
                        boolean prevKv) {}
