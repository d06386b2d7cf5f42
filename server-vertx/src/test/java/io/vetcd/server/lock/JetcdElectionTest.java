package io.vetcd.server.lock;

import static io.vetcd.server.lock.LockServer.keys;
import static io.vetcd.server.testing.Jetcd.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** v3election through jetcd's Election client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JetcdElectionTest {
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

    private long lease() throws Exception {
        return client.getLeaseClient().grant(30).get(10, TimeUnit.SECONDS).getID();
    }

    @Test
    void campaignProclaimObserveResignAndSuccession() throws Exception {
        Election election = client.getElectionClient();
        BlockingQueue<String> observed = new LinkedBlockingQueue<>();
        server.client().getElectionClient().observe(bs("e1"), new Election.Listener() {
            @Override
            public void onNext(LeaderResponse response) {
                observed.add(response.getKv().getKey() + "=" + response.getKv().getValue());
            }

            @Override
            public void onError(Throwable throwable) {
                observed.add("error " + throwable);
            }

            @Override
            public void onCompleted() {
                observed.add("completed");
            }
        });
        Thread.sleep(300); // the observer waits for a first leader
        long a = lease();
        CampaignResponse won = election.campaign(bs("e1"), a, bs("alpha")).get(10, TimeUnit.SECONDS);
        LeaderKey leader = won.getLeader();
        String keyA = "e1/" + Long.toHexString(a);
        assertEquals(keyA, leader.getKey().toString());
        assertEquals(a, leader.getLease());
        assertEquals("e1", leader.getName().toString());
        assertEquals(won.getHeader().getRevision(), leader.getRevision(), "rev: the key's create revision");
        assertEquals("alpha", election.leader(bs("e1")).get(10, TimeUnit.SECONDS).getKv().getValue().toString());
        assertEquals(keyA + "=alpha", observed.poll(10, TimeUnit.SECONDS));

        election.proclaim(leader, bs("alpha2")).get(10, TimeUnit.SECONDS);
        assertEquals("alpha2", election.leader(bs("e1")).get(10, TimeUnit.SECONDS).getKv().getValue().toString());
        assertEquals(keyA + "=alpha2", observed.poll(10, TimeUnit.SECONDS));

        long b = lease();
        CompletableFuture<CampaignResponse> second = server.client().getElectionClient()
                .campaign(bs("e1"), b, bs("beta"));
        Thread.sleep(500);
        assertFalse(second.isDone(), "the second candidate waits for the leader to go");
        assertEquals("alpha2", election.leader(bs("e1")).get(10, TimeUnit.SECONDS).getKv().getValue().toString());

        election.resign(leader).get(10, TimeUnit.SECONDS);
        LeaderKey next = second.get(10, TimeUnit.SECONDS).getLeader();
        assertEquals("e1/" + Long.toHexString(b), next.getKey().toString());
        assertEquals("beta", election.leader(bs("e1")).get(10, TimeUnit.SECONDS).getKv().getValue().toString());
        assertEquals(next.getKey() + "=beta", observed.poll(10, TimeUnit.SECONDS));

        // the old leader key no longer proclaims
        ExecutionException stale = assertThrows(ExecutionException.class,
                () -> election.proclaim(leader, bs("late")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(NotLeaderException.class, stale.getCause());

        // the new leader's lease is revoked: its key goes, and there is no leader
        client.getLeaseClient().revoke(b).get(10, TimeUnit.SECONDS);
        ExecutionException none = assertThrows(ExecutionException.class,
                () -> election.leader(bs("e1")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(NoLeaderException.class, none.getCause());
        // ... and the observer reports the next one to campaign
        long c = lease();
        election.campaign(bs("e1"), c, bs("gamma")).get(10, TimeUnit.SECONDS);
        assertEquals("e1/" + Long.toHexString(c) + "=gamma", observed.poll(10, TimeUnit.SECONDS));
        assertEquals(null, observed.poll(300, TimeUnit.MILLISECONDS), "nothing else observed");
    }

    @Test
    void campaignAgainWithTheSameLeaseProclaimsTheNewValue() throws Exception {
        Election election = client.getElectionClient();
        long a = lease();
        LeaderKey first = election.campaign(bs("e2"), a, bs("one")).get(10, TimeUnit.SECONDS).getLeader();
        LeaderKey again = election.campaign(bs("e2"), a, bs("two")).get(10, TimeUnit.SECONDS).getLeader();
        assertEquals(first.getKey(), again.getKey());
        assertEquals(first.getRevision(), again.getRevision());
        assertEquals("two", election.leader(bs("e2")).get(10, TimeUnit.SECONDS).getKv().getValue().toString());
        election.resign(again).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), keys(client, "e2/"));
    }

    @Test
    void leaderLeaseExpiryElectsTheNextCandidate() throws Exception {
        Election election = client.getElectionClient();
        long shortLease = client.getLeaseClient().grant(1).get(10, TimeUnit.SECONDS).getID();
        election.campaign(bs("e3"), shortLease, bs("short")).get(10, TimeUnit.SECONDS);
        long b = lease();
        long start = System.nanoTime();
        CampaignResponse next = election.campaign(bs("e3"), b, bs("next")).get(10, TimeUnit.SECONDS);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waitedMillis < 3000, "elected " + waitedMillis + " ms after campaigning");
        assertEquals("e3/" + Long.toHexString(b), next.getLeader().getKey().toString());
        election.resign(next.getLeader()).get(10, TimeUnit.SECONDS);
    }

    @Test
    void canceledCampaignLeavesNoKeyBehind() throws Exception {
        Election election = client.getElectionClient();
        LeaderKey leader = election.campaign(bs("e4"), lease(), bs("x")).get(10, TimeUnit.SECONDS).getLeader();
        ManagedChannel channel = server.channel();
        ListenableFuture<io.etcd.jetcd.api.CampaignResponse> waiting = ElectionGrpc.newFutureStub(channel)
                .campaign(CampaignRequest.newBuilder().setName(ByteString.copyFromUtf8("e4")).setLease(lease())
                        .setValue(ByteString.copyFromUtf8("y")).build());
        waitForKeys("e4/", 2);
        waiting.cancel(true);
        waitForKeys("e4/", 1);
        assertEquals(List.of(leader.getKey().toString()), keys(client, "e4/"));
        election.resign(leader).get(10, TimeUnit.SECONDS);
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
