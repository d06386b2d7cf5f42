package io.vetcd.server.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns responses into text two servers' answers can be compared by. Everything a client can see is
 * kept except the header's {@code cluster_id} and {@code member_id}, which differ between any two
 * clusters; the raft term stays in (a fresh single-member cluster is at term 2 in both).
 */
final class Render {
    private static final String RESPONSE_HEADER = "etcdserverpb.ResponseHeader";

    private Render() {}

    /** A raw gRPC response: the whole message with every header's ids cleared, as protobuf text. */
    static String proto(Message response) {
        return TextFormat.printer().printToString(normalize(response));
    }

    private static Message normalize(Message m) {
        Message.Builder b = m.toBuilder();
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (f.isRepeated()) {
                for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
                    b.setRepeatedField(f, i, normalize((Message) m.getRepeatedField(f, i)));
                }
            } else if (m.hasField(f)) {
                b.setField(f, normalize((Message) m.getField(f)));
            }
        }
        if (m.getDescriptorForType().getFullName().equals(RESPONSE_HEADER)) {
            b.clearField(m.getDescriptorForType().findFieldByName("cluster_id"));
            b.clearField(m.getDescriptorForType().findFieldByName("member_id"));
        }
        return b.build();
    }

    /** A jetcd response, through jetcd's own accessors (what a Java client sees). */
    static String jetcd(Object response) {
        if (response instanceof GetResponse r) {
            return "get " + header(r) + " count=" + r.getCount() + " more=" + r.isMore() + " kvs=" + kvs(r.getKvs());
        }
        if (response instanceof PutResponse r) {
            return "put " + header(r) + " prev=" + (r.hasPrevKv() ? kv(r.getPrevKv()) : "none");
        }
        if (response instanceof DeleteResponse r) {
            return "delete " + header(r) + " deleted=" + r.getDeleted() + " prev=" + kvs(r.getPrevKvs());
        }
        if (response instanceof TxnResponse r) {
            return "txn " + header(r) + " succeeded=" + r.isSucceeded()
                    + " gets=" + list(r.getGetResponses(), Render::jetcd)
                    + " puts=" + list(r.getPutResponses(), Render::jetcd)
                    + " deletes=" + list(r.getDeleteResponses(), Render::jetcd)
                    + " txns=" + list(r.getTxnResponses(), Render::jetcd);
        }
        if (response instanceof CompactResponse r) {
            return "compact " + header(r);
        }
        throw new IllegalArgumentException("no rendering for " + response.getClass());
    }

    private static String header(Response r) {
        Response.Header h = r.getHeader();
        return "[rev=" + h.getRevision() + " term=" + h.getRaftTerm() + "]";
    }

    private static String kvs(List<KeyValue> kvs) {
        return list(kvs, Render::kv);
    }

    private static String kv(KeyValue kv) {
        return "{" + bytes(kv.getKey()) + "=" + bytes(kv.getValue()) + " c=" + kv.getCreateRevision()
                + " m=" + kv.getModRevision() + " v=" + kv.getVersion() + " l=" + kv.getLease() + "}";
    }

    private static <T> String list(List<T> items, Function<T, String> render) {
        return items.stream().map(render).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String bytes(ByteSequence b) {
        return "\"" + TextFormat.escapeBytes(ByteString.copyFrom(b.getBytes())) + "\"";
    }
}
