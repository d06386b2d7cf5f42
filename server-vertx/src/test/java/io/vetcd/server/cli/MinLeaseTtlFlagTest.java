package io.vetcd.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetcd.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --vetcd-min-lease-ttl=SECONDS}: vetcd's own flag, default 2 (etcd's minimum), at least 1, in --help. */
class MinLeaseTtlFlagTest {
    private static ServerConfig parse(String... args) {
        VetcdCommand command = new VetcdCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    @Test
    void defaultsToEtcdsMinimum() {
        assertEquals(2, parse().minLeaseTtlSeconds());
        assertEquals(ServerConfig.DEFAULT_MIN_LEASE_TTL_SECONDS, ServerConfig.inMemoryOnFreePort().minLeaseTtlSeconds());
    }

    @Test
    void takesSeconds() {
        assertEquals(1, parse("--vetcd-min-lease-ttl=1").minLeaseTtlSeconds());
        assertEquals(30, parse("--vetcd-min-lease-ttl", "30").minLeaseTtlSeconds());
    }

    @Test
    void belowOneOrNotANumberIsAUsageError() {
        for (String value : new String[] {"0", "-1", "two"}) {
            StringWriter err = new StringWriter();
            int exit = new CommandLine(new VetcdCommand()).setErr(new PrintWriter(err))
                    .execute("--in-memory", "--vetcd-min-lease-ttl=" + value);
            assertEquals(2, exit, value + ": " + err);
        }
        CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, () -> parse("--vetcd-min-lease-ttl=0"));
        assertTrue(e.getMessage().contains("--vetcd-min-lease-ttl: must be at least 1 second"), e.getMessage());
    }

    @Test
    void documentedInHelp() {
        StringWriter out = new StringWriter();
        assertEquals(0, new CommandLine(new VetcdCommand()).setOut(new PrintWriter(out)).execute("--help"));
        String help = out.toString();
        assertTrue(help.contains("--vetcd-min-lease-ttl=SECONDS"), help);
        assertTrue(help.contains("default: 2"), help);
    }
}
