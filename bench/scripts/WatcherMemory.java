import com.google.protobuf.ByteString;
import io.vetcd.core.KvStore;
import io.vetcd.core.Limits;
import io.vetcd.core.MemberIdentity;
import io.vetcd.core.watch.WatchSink;
import io.vetcd.core.watch.WatchSpec;
import io.vetcd.core.watch.Watcher;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap per idle watcher in the core (WatchHub registration, its spec and key): N watchers over 1000 keys,
 * heap used after full GCs before and after. Not the server's per-stream state (StreamWatcher, gRPC).
 *
 *   mvn -q -B package -DskipTests
 *   java -Xmx2g -cp bench/target/jmh-benchmarks.jar bench/scripts/WatcherMemory.java 100000
 */
public class WatcherMemory {
    static long used() throws Exception {
        for (int i = 0; i < 4; i++) { System.gc(); Thread.sleep(100); }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        KvStore kv = new KvStore(Limits.defaults(), new MemberIdentity(1, 2, 2));
        WatchSink sink = new WatchSink() {
            public boolean events(List<Event> e, long r) { return true; }
            public void compacted(long c, long r) {}
        };
        List<Watcher> keep = new ArrayList<>(n);
        long before = used();
        for (int i = 0; i < n; i++) {
            keep.add(kv.watch(new WatchSpec(ByteString.copyFromUtf8("key-" + (i % 1000)), ByteString.EMPTY, 0, false, false, false), sink).join());
        }
        long after = used();
        System.out.printf("%d idle watchers (1000 keys): %.1f MiB, %d B per watcher (core: WatchHub registration, spec, key)%n",
                n, (after - before) / 1048576.0, (after - before) / n);
        kv.close();
    }
}
