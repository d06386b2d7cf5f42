package io.vetcd.bench.jmh;

import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.apply.KvCommands;
import io.vetcd.core.apply.Quota;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.core.lease.Lessor;
import io.vetcd.core.mvcc.KeyRange;
import io.vetcd.core.mvcc.MvccStore;
import io.vetcd.core.mvcc.WriteTxn;
import io.vetcd.proto.etcdserverpb.PutRequest;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Shared setup for the core-mvcc JMH benchmarks (not a benchmark itself).
 *
 * <p>Keys are 16 bytes, {@code "/bench/"} plus a 9-digit zero-padded decimal, so key order equals
 * numeric order and "100 consecutive keys" is the interval {@code [key(i), key(i + 100))}. Values come
 * from a pool of {@link #VALUE_POOL} distinct random byte strings per size: the core keeps values by
 * reference (a {@link ByteString} inside the {@code KeyValue}), so a pool keeps a 1M-key x 4 KiB store
 * within a few hundred MB of heap while still touching more than one value object.
 */
final class Fixtures {
    static final int VALUE_POOL = 256;
    /** How many pre-built requests a benchmark cycles through (random keys over the whole key space). */
    static final int REQUEST_POOL = 1 << 16;
    static final Limits LIMITS = Limits.defaults();
    static final MemberIdentity IDENTITY = new MemberIdentity(1, 2, 2);

    private Fixtures() {}

    static ByteString key(long i) {
        byte[] b = new byte[16];
        byte[] prefix = "/bench/".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        long v = i;
        for (int p = 15; p >= prefix.length; p--) {
            b[p] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return ByteString.copyFrom(b);
    }

    /** A key that sorts right after {@code key(i)} and before {@code key(i + 1)}: a new key among the old. */
    static ByteString newKey(long i) {
        return key(i).concat(ByteString.copyFromUtf8("/n"));
    }

    static ByteString[] values(int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteString[] out = new ByteString[VALUE_POOL];
        for (int i = 0; i < out.length; i++) {
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) {
                b[j] = (byte) rnd.nextInt(256);
            }
            out[i] = ByteString.copyFrom(b);
        }
        return out;
    }

    static KvCommands commands() {
        // No lease is granted (the benchmarks use lease 0); the lessor's thread is never started.
        return new KvCommands(LIMITS, IDENTITY, new Lessor(KvStore.DEFAULT_MIN_LEASE_TTL_SECONDS, due -> {}),
                new Quota(Quota.DEFAULT_BYTES));
    }

    /**
     * A store in memory without a quota: a writer benchmark puts gigabytes between two compactions (400k
     * puts/s of 4 KiB values), which etcd's 2 GiB quota would refuse with NOSPACE mid-iteration.
     */
    static KvStore kvStore() {
        return new KvStore(LIMITS, IDENTITY, new MemoryBackend(), -1, KvStore.DEFAULT_MIN_LEASE_TTL_SECONDS);
    }

    /**
     * The state the core-mvcc benchmarks share: an {@link MvccStore}, the {@link KvCommands} the writer applies
     * requests with, and the value pool the store was loaded from. A benchmark extends it and calls
     * {@link #loadStore} first in its trial {@code @Setup}.
     */
    abstract static class LoadedStore {
        MvccStore store;
        KvCommands kv;
        /** {@code values(valueSize, 1)}: what key {@code i} was loaded with is {@code vals[i % vals.length]}. */
        ByteString[] vals;

        /**
         * A fresh store holding keys {@code 0 .. keys - 1}, one version each, with values of {@code valueSize}
         * bytes ({@link Fixtures#load(MvccStore, int, ByteString[])}).
         */
        final void loadStore(int keys, int valueSize) {
            store = new MvccStore();
            kv = commands();
            vals = values(valueSize, 1);
            load(store, keys, vals);
        }
    }

    /** Fast bulk load straight through the MVCC layer: one revision per key, published once at the end. */
    static void load(MvccStore store, int keys, ByteString[] values) {
        for (int i = 0; i < keys; i++) {
            WriteTxn txn = store.beginWrite();
            txn.put(key(i), values[i % values.length], 0);
            txn.end();
        }
        store.publish();
    }

    /** Writes every key once more (so each key has two versions); published once at the end. */
    static void overwriteAll(MvccStore store, int keys, ByteString[] values) {
        for (int i = 0; i < keys; i++) {
            WriteTxn txn = store.beginWrite();
            txn.put(key(i), values[(i + 1) % values.length], 0);
            txn.end();
        }
        store.publish();
    }

    /** Deletes single keys straight through the MVCC layer; published at the end. */
    static void deleteKeys(MvccStore store, ByteString[] keys) {
        for (ByteString k : keys) {
            WriteTxn txn = store.beginWrite();
            txn.deleteRange(KeyRange.single(k));
            txn.end();
        }
        store.publish();
    }

    /** Loads a {@link KvStore} through its writer, many puts in flight. */
    static void load(KvStore store, int keys, ByteString[] values) {
        CompletableFuture<?> last = null;
        for (int i = 0; i < keys; i++) {
            last = store.put(PutRequest.newBuilder().setKey(key(i)).setValue(values[i % values.length]).build());
            if ((i & 4095) == 4095) {
                last.join();
            }
        }
        if (last != null) {
            last.join();
        }
    }

    /** {@code n} indexes drawn uniformly from {@code [0, bound)}. */
    static int[] randomIndexes(int n, int bound, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rnd.nextInt(bound);
        }
        return out;
    }

    /** {@code n} distinct indexes from {@code [0, bound)} in random order ({@code n <= bound}). */
    static int[] distinctIndexes(int n, int bound, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] all = new int[bound];
        for (int i = 0; i < bound; i++) {
            all[i] = i;
        }
        for (int i = 0; i < n; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(bound - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }
}
