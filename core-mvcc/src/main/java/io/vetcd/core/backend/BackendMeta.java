package io.vetcd.core.backend;

/**
 * What the backend keeps beside the versions, written at the end of every batch ({@link Backend#commit}).
 *
 * @param revision        the store's revision after the batch: a restarted store continues at {@code revision + 1}
 * @param compactRevision the compaction point ({@code -1}: never compacted)
 * @param noSpaceAlarm    etcd's NOSPACE alarm is raised: it survives restarts until deactivated
 */
public record BackendMeta(long revision, long compactRevision, boolean noSpaceAlarm) {
    /** A store that was never written: revision 1, never compacted, no alarm (a fresh etcd). */
    public static final BackendMeta EMPTY = new BackendMeta(1, -1, false);
}
