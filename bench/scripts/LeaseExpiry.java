import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.backend.MemoryBackend;
import io.vetcd.core.lease.ExpiryLateness;
import io.vetcd.proto.etcdserverpb.LeaseGrantRequest;
import io.vetcd.proto.etcdserverpb.PutRequest;
import io.vetcd.proto.etcdserverpb.RangeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * 100k live leases in the core: heap per lease (granted, no key), then N leases with TTLs spread evenly
 * over [TTL, TTL + SPREAD) seconds (N / SPREAD expiries a second), each given one key and left to
 * expire, with or without a writer putting other keys meanwhile (256-byte values over 10k keys, history
 * compacted every ~100k puts); prints the expiry lateness
 * (revoke applied - deadline) percentiles from the lessor, and checks that every leased key is gone.
 *
 *   mvn -q -B package -DskipTests
 *   java -Xmx2g -cp bench/target/jmh-benchmarks.jar bench/scripts/LeaseExpiry.java N TTL SPREAD [write-load]
 *   e.g. 100000 5 20 (5,000 expiries a second for 20 s)
 */
public class LeaseExpiry {
    static long used() throws Exception {
        for (int i = 0; i < 4; i++) { System.gc(); Thread.sleep(100); }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static ByteString key(int i) {
        return ByteString.copyFromUtf8(String.format("lease-key-%07d", i));
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        long ttl = Long.parseLong(a[1]);
        int spread = Integer.parseInt(a[2]);
        boolean writeLoad = a.length > 3 && a[3].equals("write-load");
        KvStore kv = new KvStore(Limits.defaults(), new MemberIdentity(1, 2, 2), new MemoryBackend(), -1, 1);

        // heap per lease: granted with a TTL far away, no key
        long before = used();
        List<Long> idle = grant(kv, n, 3600, 1);
        long after = used();
        System.out.printf("%d leases granted, no keys: %.1f MiB, %d B per lease%n",
                n, (after - before) / 1048576.0, (after - before) / n);
        for (int i = 0; i < idle.size(); i += 1000) { // revoke them in the background of nothing: clean slate
            List<CompletableFuture<?>> f = new ArrayList<>();
            for (long id : idle.subList(i, Math.min(idle.size(), i + 1000))) {
                f.add(kv.leaseRevoke(io.vetcd.proto.etcdserverpb.LeaseRevokeRequest.newBuilder().setID(id).build()));
            }
            CompletableFuture.allOf(f.toArray(CompletableFuture[]::new)).join();
        }

        // expiry: n leases of `ttl` seconds, one key each
        long grantStart = System.nanoTime();
        List<Long> ids = grant(kv, n, ttl, spread);
        for (int i = 0; i < n; i += 1000) {
            List<CompletableFuture<?>> f = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + 1000); j++) {
                f.add(kv.put(PutRequest.newBuilder().setKey(key(j)).setValue(ByteString.copyFromUtf8("v"))
                        .setLease(ids.get(j)).build()));
            }
            CompletableFuture.allOf(f.toArray(CompletableFuture[]::new)).join();
        }
        System.out.printf("granted and attached %d leases of %d-%d s in %.2f s%n", n, ttl, ttl + spread - 1,
                (System.nanoTime() - grantStart) / 1e9);
        long lateBefore = kv.lessor().lateness().count();
        AtomicBoolean stop = new AtomicBoolean();
        long[] puts = {0};
        Thread writer = new Thread(() -> {
            ByteString v = ByteString.copyFrom(new byte[256]);
            for (int i = 0; !stop.get(); i++) {
                List<CompletableFuture<?>> f = new ArrayList<>();
                for (int j = 0; j < 256; j++) {
                    f.add(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("load/" + ((i * 256 + j) % 10_000)))
                            .setValue(v).build()));
                }
                CompletableFuture.allOf(f.toArray(CompletableFuture[]::new)).join();
                puts[0] += 256;
                if (i % 400 == 0) { // history of ~100k puts at a time, as with etcd's auto-compaction
                    kv.compact(io.vetcd.proto.etcdserverpb.CompactionRequest.newBuilder().setRevision(kv.revision()).build()).join();
                }
            }
        });
        long loadStart = System.nanoTime();
        if (writeLoad) {
            writer.start();
        }
        while (kv.lessor().size() > 0) {
            Thread.sleep(50);
        }
        stop.set(true);
        if (writeLoad) {
            writer.join();
            System.out.printf("write load meanwhile: %.0f puts/s%n", puts[0] / ((System.nanoTime() - loadStart) / 1e9));
        }
        ExpiryLateness late = kv.lessor().lateness();
        long remaining = kv.range(RangeRequest.newBuilder().setKey(key(0)).setRangeEnd(key(n)).setCountOnly(true).build()).getCount();
        System.out.printf("expired %d leases: lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms; leased keys left: %d%n",
                late.count() - lateBefore, late.percentileNanos(0.50) / 1e6, late.percentileNanos(0.99) / 1e6,
                late.maxNanos() / 1e6, remaining);
        kv.close();
    }

    static List<Long> grant(KvStore kv, int n, long ttl, int spread) {
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i += 1000) {
            List<CompletableFuture<io.vetcd.proto.etcdserverpb.LeaseGrantResponse>> f = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + 1000); j++) {
                f.add(kv.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttl + j % spread).build()));
            }
            for (var r : f) {
                ids.add(r.join().getID());
            }
        }
        return ids;
    }
}
