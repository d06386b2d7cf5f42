package io.vetcd.bench.load;

import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every verb shares: the root's global flags, its output streams, etcd's key and value makers. */
abstract class Verb implements Callable<Integer> {
    @ParentCommand
    BenchCommand root;

    @Spec
    CommandSpec spec;

    /** etcd's keys: {@code binary.PutVarint(k, n)} into a zeroed buffer of {@code keySize} bytes. */
    static byte[] varintKey(int keySize, long n) {
        byte[] k = new byte[keySize];
        long ux = (n << 1) ^ (n >> 63); // zigzag, as Go's PutVarint
        int i = 0;
        while (ux >= 0x80 && i < k.length) {
            k[i++] = (byte) (ux | 0x80);
            ux >>>= 7;
        }
        if (i < k.length) {
            k[i] = (byte) ux;
        }
        return k;
    }

    /** Key number {@code seq}: sequential, or uniformly random in the key space (etcd's rand.Intn). */
    static long keyIndex(boolean sequential, long seq, int keySpaceSize) {
        return sequential ? seq % keySpaceSize : ThreadLocalRandom.current().nextInt(keySpaceSize);
    }

    static byte[] randBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    void requirePositive(String flag, long v) {
        if (v <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "expected positive " + flag + ", got (" + v + ")");
        }
    }
}
