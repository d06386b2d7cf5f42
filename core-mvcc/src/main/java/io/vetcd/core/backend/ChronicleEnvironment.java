package io.vetcd.core.backend;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.openhft.posix.PosixAPI;

/**
 * Chronicle's process-wide settings, applied once, before the first Chronicle class initializes (its
 * static initializers read them): nothing may phone home, write to the user's home directory, start
 * threads vetcd does not need, or print at start-up. A setting the user gave with {@code -D} wins.
 *
 * <ul>
 *   <li>{@code chronicle.analytics.disable}: no usage analytics (the analytics jar is excluded too).
 *   <li>{@code chronicle.announcer.disable}: no start-up banner.
 *   <li>{@code chronicle.disk.monitor.disable}: no disk-space monitor thread.
 *   <li>{@code jvm.resource.tracing=false}, {@code disable.resource.warning}: no resource tracing.
 *   <li>{@code jna.tmpdir}: JNA (which Chronicle's thread-affinity code loads) unpacks its native library
 *       under {@code java.io.tmpdir}, not {@code ~/.cache}.
 *   <li>{@code system.properties=/dev/null}: Chronicle would otherwise load a file named
 *       {@code system.properties} from the working directory (or its parent) into the JVM's system
 *       properties.
 *   <li>No-op POSIX calls: Chronicle's native POSIX binding (JNR, which unpacks a native stub and takes
 *       ~150 ms to load) serves only {@code msync} and {@code fallocate}. vetcd needs neither: the crash
 *       contract is {@code kill -9}, which the page cache survives, and the files are sparse.
 *   <li>Chronicle's loggers ({@code net.openhft}) at WARNING unless configured: it logs its versions and
 *       set-up at INFO.
 * </ul>
 */
final class ChronicleEnvironment {
    /** Held so the level set on it stays set (java.util.logging keeps loggers weakly). */
    private static final Logger CHRONICLE_LOGGER = Logger.getLogger("net.openhft");

    static {
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");
        setIfAbsent("chronicle.disk.monitor.disable", "true");
        setIfAbsent("jvm.resource.tracing", "false");
        setIfAbsent("disable.resource.warning", "true");
        setIfAbsent("jna.tmpdir", Path.of(System.getProperty("java.io.tmpdir"),
                "vetcd-jna-" + System.getProperty("user.name", "user")).toString());
        setIfAbsent("system.properties", "/dev/null");
        PosixAPI.useNoOpPosixApi();
        if (CHRONICLE_LOGGER.getLevel() == null) {
            CHRONICLE_LOGGER.setLevel(Level.WARNING);
        }
    }

    private ChronicleEnvironment() {}

    /** Applies the settings (the first call does; later calls do nothing). */
    static void apply() {}

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
