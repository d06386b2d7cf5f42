package io.vetcd.server.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.core.KvStore;
import io.vetcd.core.MemberIdentity;
import io.vetcd.proto.etcdserverpb.AlarmMember;
import io.vetcd.proto.etcdserverpb.AlarmRequest;
import io.vetcd.proto.etcdserverpb.AlarmResponse;
import io.vetcd.proto.etcdserverpb.AlarmType;
import io.vetcd.proto.etcdserverpb.DefragmentResponse;
import io.vetcd.proto.etcdserverpb.HashKVResponse;
import io.vetcd.proto.etcdserverpb.HashResponse;
import io.vetcd.proto.etcdserverpb.MaintenanceGrpcService;
import io.vetcd.proto.etcdserverpb.ResponseHeader;
import io.vetcd.proto.etcdserverpb.SnapshotRequest;
import io.vetcd.proto.etcdserverpb.SnapshotResponse;
import io.vetcd.proto.etcdserverpb.StatusResponse;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * etcd's {@code Maintenance} service for a single member: Status, Alarm (the NOSPACE alarm), Hash,
 * HashKV, Defragment and Snapshot. The hashes and the snapshot are vetcd's own (not bbolt's): equal
 * for equal histories, and a snapshot restores with {@code vetcd snapshot restore}, not etcdctl's.
 */
public final class MaintenanceEndpoint {
    private static final Logger LOG = Logger.getLogger(MaintenanceEndpoint.class.getName());
    /** etcd streams snapshots in chunks of this size. */
    private static final int SNAPSHOT_CHUNK = 32 * 1024;

    private final KvStore store;
    private final MemberIdentity identity;
    private final Path scratchDir;

    private MaintenanceEndpoint(KvStore store, MemberIdentity identity, Path scratchDir) {
        this.store = store;
        this.identity = identity;
        this.scratchDir = scratchDir;
    }

    /** @param scratchDir where a snapshot is written before it is streamed (and deleted) */
    public static void bind(GrpcServer server, KvStore store, MemberIdentity identity, Path scratchDir) {
        MaintenanceEndpoint m = new MaintenanceEndpoint(store, identity, scratchDir);
        long max = store.limits().maxGrpcMessageBytes();
        Replies.unary(server, MaintenanceGrpcService.Status, max, request -> m.status());
        Replies.async(server, MaintenanceGrpcService.Alarm, max, m::alarm);
        Replies.async(server, MaintenanceGrpcService.Hash, max, request -> store.hashKv(0)
                .thenApply(h -> HashResponse.newBuilder().setHeader(m.header(h.revision())).setHash(h.hash()).build()));
        Replies.async(server, MaintenanceGrpcService.HashKV, max, request -> store.hashKv(request.getRevision())
                .thenApply(h -> HashKVResponse.newBuilder().setHeader(m.header(h.revision()))
                        .setHash(h.hash()).setCompactRevision(h.compactRevision()).build()));
        Replies.async(server, MaintenanceGrpcService.Defragment, max, request -> store.defragment()
                .thenApply(v -> DefragmentResponse.newBuilder().setHeader(m.header(store.revision())).build()));
        server.callHandler(MaintenanceGrpcService.Snapshot, call -> call.handler(request -> m.snapshot(call.response())));
    }

    private StatusResponse status() {
        long revision = store.revision();
        StatusResponse.Builder resp = StatusResponse.newBuilder()
                .setHeader(header(revision))
                .setVersion(MemberEndpoints.SERVER_VERSION)
                .setDbSize(store.backendSize())
                .setDbSizeInUse(store.backendSizeInUse())
                .setLeader(identity.memberId())
                .setRaftIndex(revision)
                .setRaftAppliedIndex(revision)
                .setRaftTerm(identity.raftTerm());
        if (store.noSpaceAlarm()) {
            resp.addErrors(alarmText(noSpace())); // etcd lists each raised alarm here
        }
        return resp.build();
    }

    /** gogo/protobuf's compact text of an {@code AlarmMember}, which etcd puts in Status errors. */
    private static String alarmText(AlarmMember alarm) {
        return "memberID:" + Long.toUnsignedString(alarm.getMemberID()) + " alarm:" + alarm.getAlarm() + " ";
    }

    /**
     * etcd's {@code Alarm}: GET lists the raised alarms (of one type, or all for NONE); ACTIVATE raises
     * and DEACTIVATE clears one, answering with it (DEACTIVATE answers nothing if it was not raised).
     * vetcd raises only NOSPACE, always for this member; other types are neither raised nor listed.
     */
    private CompletableFuture<AlarmResponse> alarm(AlarmRequest r) {
        AlarmResponse.Builder resp = AlarmResponse.newBuilder();
        boolean noSpaceAsked = r.getAlarm() == AlarmType.NOSPACE;
        return switch (r.getAction()) {
            case ACTIVATE -> noSpaceAsked
                    ? store.setNoSpaceAlarm(true).thenApply(before -> alarmResponse(resp.addAlarms(noSpace())))
                    : CompletableFuture.completedFuture(alarmResponse(resp));
            case DEACTIVATE -> noSpaceAsked && r.getMemberID() == identity.memberId()
                    ? store.setNoSpaceAlarm(false).thenApply(before -> alarmResponse(before ? resp.addAlarms(noSpace()) : resp))
                    : CompletableFuture.completedFuture(alarmResponse(resp));
            default -> {
                if (store.noSpaceAlarm() && (r.getAlarm() == AlarmType.NONE || noSpaceAsked)) {
                    resp.addAlarms(noSpace());
                }
                yield CompletableFuture.completedFuture(alarmResponse(resp));
            }
        };
    }

    private AlarmResponse alarmResponse(AlarmResponse.Builder resp) {
        return resp.setHeader(header(store.revision())).build();
    }

    private AlarmMember noSpace() {
        return AlarmMember.newBuilder().setMemberID(identity.memberId()).setAlarm(AlarmType.NOSPACE).build();
    }

    private ResponseHeader header(long revision) {
        return MemberEndpoints.header(identity).setRevision(revision).build();
    }

    /**
     * Takes a snapshot into a scratch file (writes wait meanwhile), then streams it in 32 KiB chunks as
     * the client reads them; the file is deleted when the stream ends, fails or is cancelled.
     */
    private void snapshot(GrpcServerResponse<SnapshotRequest, SnapshotResponse> response) {
        Context context = Vertx.currentContext();
        Path file;
        OutputStream out;
        try {
            Files.createDirectories(scratchDir);
            file = Files.createTempFile(scratchDir, "snapshot-", ".part");
            out = Files.newOutputStream(file);
        } catch (IOException e) {
            fail(response, null, e);
            return;
        }
        store.snapshot(out).whenComplete((meta, error) -> {
            try {
                out.close();
            } catch (IOException e) {
                error = error != null ? error : e;
            }
            Throwable failure = error;
            context.runOnContext(v -> {
                if (failure != null) {
                    fail(response, file, failure);
                } else {
                    new SnapshotSender(response, file, header(meta.revision())).start();
                }
            });
        });
    }

    private static void fail(GrpcServerResponse<?, ?> response, Path file, Throwable error) {
        LOG.log(Level.WARNING, "snapshot failed", error);
        deleteQuietly(file);
        response.status(GrpcStatus.INTERNAL).statusMessage("vetcd: snapshot failed: " + error.getMessage()).end();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete " + file, e);
        }
    }

    /** Streams one snapshot file, honouring the stream's write queue; on the call's event loop. */
    private static final class SnapshotSender {
        private final GrpcServerResponse<SnapshotRequest, SnapshotResponse> response;
        private final Path file;
        private final ResponseHeader header;
        private final ByteBuffer buffer = ByteBuffer.allocate(SNAPSHOT_CHUNK);
        private FileChannel channel;
        private long remaining;
        private boolean first = true;
        private boolean done;

        SnapshotSender(GrpcServerResponse<SnapshotRequest, SnapshotResponse> response, Path file,
                       ResponseHeader header) {
            this.response = response;
            this.file = file;
            this.header = header;
        }

        void start() {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
                remaining = channel.size();
            } catch (IOException e) {
                fail(response, file, e);
                return;
            }
            response.exceptionHandler(e -> finish()); // the client went away
            response.drainHandler(v -> pump());
            pump();
        }

        private void pump() {
            try {
                while (!done && !response.writeQueueFull()) {
                    buffer.clear();
                    int n = Math.max(channel.read(buffer), 0);
                    remaining -= n;
                    SnapshotResponse.Builder chunk = SnapshotResponse.newBuilder()
                            .setRemainingBytes(remaining)
                            .setBlob(ByteString.copyFrom(buffer.flip()));
                    if (first) {
                        chunk.setHeader(header);
                        first = false;
                    }
                    if (remaining <= 0) {
                        finish();
                        response.end(chunk.build());
                    } else {
                        response.write(chunk.build());
                    }
                }
            } catch (IOException e) {
                finish();
                fail(response, null, e);
            }
        }

        private void finish() {
            if (done) {
                return;
            }
            done = true;
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot close " + file, e);
            }
            deleteQuietly(file);
        }
    }
}
