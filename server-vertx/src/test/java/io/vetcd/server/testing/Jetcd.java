package io.vetcd.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Small helpers for driving jetcd from tests: bytes, waiting, and the errors etcd answers with. */
public final class Jetcd {
    /** Long enough for a loaded CI machine; a call that takes this long is a hang, not a slow answer. */
    public static final long TIMEOUT_SECONDS = 20;

    private Jetcd() {}

    public static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    public static ByteSequence bs(byte[] b) {
        return ByteSequence.from(b);
    }

    public static String str(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The keys of a range response, in response order. */
    public static List<String> keys(GetResponse r) {
        return r.getKvs().stream().map(kv -> str(kv.getKey())).toList();
    }

    public static List<String> values(GetResponse r) {
        return r.getKvs().stream().map(kv -> str(kv.getValue())).toList();
    }

    /** The only key-value of a single-key range response. */
    public static KeyValue single(GetResponse r) {
        assertEquals(1, r.getKvs().size(), () -> "expected exactly one kv, got " + keys(r));
        return r.getKvs().get(0);
    }

    /** Puts {@code key = value} and returns the revision the put was applied at. */
    public static long put(KV kv, String key, String value) {
        return await(kv.put(bs(key), bs(value))).getHeader().getRevision();
    }

    /** The server's current revision, as a single-key range reports it in its header. */
    public static long currentRevision(KV kv) {
        return await(kv.get(bs("\0revision-probe"))).getHeader().getRevision();
    }

    /** Deletes every key. */
    public static void deleteAll(KV kv) {
        await(kv.delete(bs("\0"), DeleteOption.builder().withRange(bs("\0")).build()));
    }

    /** Waits for a call that must succeed. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("call failed: " + describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("call did not complete in " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** How a call failed: the gRPC status code (as jetcd names it) and etcd's message. */
    public record Failure(ErrorCode code, String message, Throwable cause) {
        /** Asserts etcd's code and its exact message. */
        public void is(ErrorCode expectedCode, String expectedMessage) {
            assertEquals(expectedCode, code, () -> "status code of " + describe(cause));
            assertEquals(expectedMessage, message, () -> "message of " + describe(cause));
        }
    }

    /** Waits for a call that must fail, and says how it failed. */
    public static Failure failure(CompletableFuture<?> future) {
        Object result;
        try {
            result = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return failureOf(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("call neither failed nor succeeded in " + TIMEOUT_SECONDS + " s (a hang)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return fail("expected the call to fail, but it succeeded with " + result);
    }

    /** How a call on a raw gRPC stub failed. */
    public static Failure rawFailure(Supplier<?> call) {
        Object result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            return failureOf(e);
        }
        return fail("expected the call to fail, but it succeeded with " + result);
    }

    public static Failure failureOf(Throwable t) {
        Throwable cause = t;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof EtcdException etcd) {
            Status status = Status.fromThrowable(etcd);
            // jetcd's EtcdException carries the status description as its message
            String message = status.getCode() != Status.Code.UNKNOWN && status.getDescription() != null
                    ? status.getDescription() : etcd.getMessage();
            return new Failure(etcd.getErrorCode(), message, etcd);
        }
        Status status = Status.fromThrowable(cause);
        return new Failure(ErrorCode.valueOf(status.getCode().name()), status.getDescription(), cause);
    }

    public static String describe(Throwable t) {
        if (t == null) {
            return "null";
        }
        Status status = Status.fromThrowable(t);
        return t.getClass().getName() + " [" + status.getCode() + ": " + status.getDescription() + "] "
                + t.getMessage();
    }
}
