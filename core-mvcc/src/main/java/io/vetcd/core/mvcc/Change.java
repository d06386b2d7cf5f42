package io.vetcd.core.mvcc;

import io.vetcd.proto.mvccpb.Event;
import io.vetcd.proto.mvccpb.KeyValue;
import java.util.List;

/**
 * One change as watchers see it, at revision (main, sub): a PUT of {@code kv}, or a DELETE whose
 * {@code kv} holds the key and the deleting revision (as etcd sends it); and the key's previous version,
 * for watchers that asked for {@code prev_kv}. The event messages are built the first time a watcher
 * needs one, then shared by every watcher of the change (they are immutable); a write nobody watches
 * builds none. Built and read by the writer only.
 */
public final class Change {
    private final long main;
    private final int sub;
    private final KeyValue kv;
    private final boolean isDelete;
    private final KeyValue prev;
    private Event event;
    private Event withPrevKv;
    private List<Event> eventAlone;
    private List<Event> withPrevKvAlone;

    /** @param prev the version the change replaced or deleted; null when the key had none */
    public Change(long main, int sub, KeyValue kv, boolean isDelete, KeyValue prev) {
        this.main = main;
        this.sub = sub;
        this.kv = kv;
        this.isDelete = isDelete;
        this.prev = prev;
    }

    public long main() {
        return main;
    }

    public int sub() {
        return sub;
    }

    public KeyValue kv() {
        return kv;
    }

    public boolean isDelete() {
        return isDelete;
    }

    /** The event without {@code prev_kv}. */
    public Event event() {
        if (event == null) {
            event = builder().build();
        }
        return event;
    }

    /** The event with {@code prev_kv} set (when there is a previous version). */
    public Event withPrevKv() {
        if (withPrevKv == null) {
            withPrevKv = prev == null ? event() : builder().setPrevKv(prev).build();
        }
        return withPrevKv;
    }

    /**
     * The event as a list of its own, shared like the event: what each watcher of a single key is sent
     * for a revision, so 1000 watchers of a key share one list instead of building 1000.
     */
    public List<Event> alone(boolean prevKv) {
        if (prevKv) {
            if (withPrevKvAlone == null) {
                withPrevKvAlone = List.of(withPrevKv());
            }
            return withPrevKvAlone;
        }
        if (eventAlone == null) {
            eventAlone = List.of(event());
        }
        return eventAlone;
    }

    private Event.Builder builder() {
        Event.Builder e = Event.newBuilder().setKv(kv);
        return isDelete ? e.setType(Event.EventType.DELETE) : e;
    }
}
