package io.vetcd.server.lock;

import static io.vetcd.server.lock.LockServer.keys;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.lock.LockResponse;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * v3lock through jetcd's Lock client (and grpc-java's raw stub for cancellation). Lease 0 makes the server
 * grant the session's lease (etcd's behaviour), so these need no Lease service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JetcdLockTest {
    private LockServer server;
    private Client client;

    @BeforeAll
    void start() {
        server = LockServer.start();
        client = server.client();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void lockCreatesTheKeyAndUnlockDeletesIt() throws Exception {
        LockResponse held = client.getLockClient().lock(bs("l1"), 0).get(10, TimeUnit.SECONDS);
        String key = held.getKey().toString();
        assertTrue(key.matches("l1/[0-9a-f]+"), key);
        assertEquals(List.of(key), keys(client, "l1/"));
        long lease = client.getKVClient().get(held.getKey()).get(10, TimeUnit.SECONDS).getKvs().get(0).getLease();
        assertEquals(Long.toHexString(lease), key.substring("l1/".length()), "key named after its lease");
        client.getLockClient().unlock(held.getKey()).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), keys(client, "l1/"));
    }

    @Test
    void secondLockerWaitsUntilTheFirstUnlocks() throws Exception {
        LockResponse first = client.getLockClient().lock(bs("l2"), 0).get(10, TimeUnit.SECONDS);
        Client other = server.client();
        CompletableFuture<LockResponse> second = other.getLockClient().lock(bs("l2"), 0);
        Thread.sleep(700);
        assertFalse(second.isDone(), "the second locker must wait");
        assertEquals(2, keys(client, "l2/").size(), "the waiter's key is in place");
        client.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
        LockResponse got = second.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(got.getKey().toString()), keys(client, "l2/"));
        assertTrue(got.getHeader().getRevision() > first.getHeader().getRevision());
        other.getLockClient().unlock(got.getKey()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void waitersAreServedInOrder() throws Exception {
        LockResponse first = client.getLockClient().lock(bs("l3"), 0).get(10, TimeUnit.SECONDS);
        CompletableFuture<LockResponse> second = server.client().getLockClient().lock(bs("l3"), 0);
        waitForKeys("l3/", 2);
        CompletableFuture<LockResponse> third = server.client().getLockClient().lock(bs("l3"), 0);
        waitForKeys("l3/", 3);
        client.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
        LockResponse s = second.get(10, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertFalse(third.isDone());
        client.getLockClient().unlock(s.getKey()).get(10, TimeUnit.SECONDS);
        LockResponse t = third.get(10, TimeUnit.SECONDS);
        client.getLockClient().unlock(t.getKey()).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), keys(client, "l3/"));
    }

    @Test
    void canceledWaiterLeavesNoKeyBehind() throws Exception {
        LockResponse first = client.getLockClient().lock(bs("l4"), 0).get(10, TimeUnit.SECONDS);
        ManagedChannel channel = server.channel();
        ListenableFuture<io.etcd.jetcd.api.lock.LockResponse> waiting = LockGrpc.newFutureStub(channel)
                .lock(LockRequest.newBuilder().setName(ByteString.copyFromUtf8("l4")).build());
        waitForKeys("l4/", 2);
        waiting.cancel(true); // grpc-java cancels the call (RST_STREAM CANCEL)
        waitForKeys("l4/", 1);
        assertEquals(List.of(first.getKey().toString()), keys(client, "l4/"));
        client.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void waiterWhoseConnectionClosesLeavesNoKeyBehind() throws Exception {
        LockResponse first = client.getLockClient().lock(bs("l5"), 0).get(10, TimeUnit.SECONDS);
        ManagedChannel channel = server.channel();
        LockGrpc.newFutureStub(channel).lock(LockRequest.newBuilder().setName(ByteString.copyFromUtf8("l5")).build());
        waitForKeys("l5/", 2);
        channel.shutdownNow();
        waitForKeys("l5/", 1);
        assertEquals(List.of(first.getKey().toString()), keys(client, "l5/"));
        client.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void deadlineExceededWaiterLeavesNoKeyBehind() throws Exception {
        LockResponse first = client.getLockClient().lock(bs("l6"), 0).get(10, TimeUnit.SECONDS);
        ManagedChannel channel = server.channel();
        ListenableFuture<io.etcd.jetcd.api.lock.LockResponse> waiting = LockGrpc.newFutureStub(channel)
                .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                .lock(LockRequest.newBuilder().setName(ByteString.copyFromUtf8("l6")).build());
        try {
            waiting.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            assertTrue(expected.getCause().getMessage().contains("DEADLINE_EXCEEDED"), expected.getCause().toString());
        }
        waitForKeys("l6/", 1);
        client.getLockClient().unlock(first.getKey()).get(10, TimeUnit.SECONDS);
    }

    private void waitForKeys(String prefix, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (keys(client, prefix).size() != count) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("keys under " + prefix + ": " + keys(client, prefix) + ", want " + count);
            }
            Thread.sleep(20);
        }
    }
}
