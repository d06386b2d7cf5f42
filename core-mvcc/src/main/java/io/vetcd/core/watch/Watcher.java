package io.vetcd.core.watch;

/** A registered watch: what the stream that created it holds to cancel or resume it. */
public interface Watcher {
    /** Stops the watch; no event is delivered once this returns. Idempotent. */
    void cancel();

    /**
     * After its sink refused events ({@link WatchSink#events} returned false): deliver again, catching up
     * from history from the first event the sink refused. Does nothing for a watcher that is synced.
     */
    void resume();

    /** Whether the watcher has been sent every event up to the store's published revision. */
    boolean isSynced();
}
