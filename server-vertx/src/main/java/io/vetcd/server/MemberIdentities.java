package io.vetcd.server;

import io.vetcd.core.MemberIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * A member's cluster and member ids: drawn at random for a new data dir and kept in
 * {@code <data-dir>/member/identity.properties}, so they stay the same across restarts.
 */
final class MemberIdentities {
    /** A fresh single-member etcd is at raft term 2 after its first election and stays there. */
    static final long RAFT_TERM = 2;
    private static final String FILE = "identity.properties";
    private static final SecureRandom RANDOM = new SecureRandom();

    private MemberIdentities() {}

    static MemberIdentity random() {
        return new MemberIdentity(nonZeroId(), nonZeroId(), RAFT_TERM);
    }

    static MemberIdentity loadOrCreate(Path dataDir) {
        Path dir = dataDir.resolve("member");
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(file)) {
                    p.load(in);
                }
                return new MemberIdentity(parse(p, "cluster_id", file), parse(p, "member_id", file), RAFT_TERM);
            }
            Files.createDirectories(dir);
            MemberIdentity identity = random();
            Properties p = new Properties();
            p.setProperty("cluster_id", Long.toUnsignedString(identity.clusterId(), 16));
            p.setProperty("member_id", Long.toUnsignedString(identity.memberId(), 16));
            Path tmp = dir.resolve(FILE + ".tmp");
            try (var out = Files.newBufferedWriter(tmp)) {
                p.store(out, "vetcd member identity");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return identity;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the member identity " + file, e);
        }
    }

    private static long parse(Properties p, String name, Path file) {
        String value = p.getProperty(name);
        try {
            return Long.parseUnsignedLong(value, 16);
        } catch (RuntimeException e) {
            throw new IllegalStateException("corrupt member identity file " + file + ": bad " + name, e);
        }
    }

    private static long nonZeroId() {
        long id;
        do {
            id = RANDOM.nextLong();
        } while (id == 0);
        return id;
    }
}
