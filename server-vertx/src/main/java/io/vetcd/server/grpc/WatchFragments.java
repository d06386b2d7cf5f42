package io.vetcd.server.grpc;

import com.google.protobuf.CodedOutputStream;
import io.vetcd.proto.etcdserverpb.WatchResponse;
import io.vetcd.proto.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/** etcd's {@code sendFragments}: a large events response split for a watch created with {@code fragment}. */
final class WatchFragments {
    private WatchFragments() {}

    /**
     * The responses to send for {@code whole}: itself when it is smaller than {@code maxBytes} or has
     * fewer than two events; else consecutive runs of its events, each run as long as it stays under
     * {@code maxBytes} (but at least one event), every response but the last flagged {@code fragment}.
     * Sizes are measured with the flag set, as etcd measures them.
     */
    static List<WatchResponse> split(WatchResponse whole, long maxBytes) {
        if (whole.getEventsCount() < 2 || whole.getSerializedSize() < maxBytes) {
            return List.of(whole);
        }
        WatchResponse empty = whole.toBuilder().clearEvents().setFragment(true).build();
        long emptySize = empty.getSerializedSize();
        List<WatchResponse> parts = new ArrayList<>();
        List<Event> events = whole.getEventsList();
        int next = 0;
        while (next < events.size()) {
            WatchResponse.Builder part = empty.toBuilder();
            long size = emptySize;
            do {
                Event event = events.get(next);
                long eventSize = CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, event);
                if (part.getEventsCount() > 0 && size + eventSize >= maxBytes) {
                    break;
                }
                part.addEvents(event);
                size += eventSize;
                next++;
            } while (next < events.size());
            parts.add(part.setFragment(next < events.size()).build());
        }
        return parts;
    }
}
