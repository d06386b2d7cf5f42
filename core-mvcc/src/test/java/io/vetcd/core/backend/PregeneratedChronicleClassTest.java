package io.vetcd.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.ValueModel;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

/**
 * core-mvcc ships the class Chronicle would otherwise generate and compile at run time (see its header):
 * it must be exactly what this Chronicle version generates, or map files would be read with another layout.
 */
class PregeneratedChronicleClassTest {
    private static final String NAME = "VanillaGlobalMutableState$$Native";

    @Test
    void theShippedSourceIsWhatChronicleGenerates() throws Exception {
        Method generate = Class.forName("net.openhft.chronicle.values.Generators")
                .getDeclaredMethod("generateNativeClass", ValueModel.class, String.class);
        generate.setAccessible(true);
        String expected = (String) generate.invoke(null, ValueModel.acquire(VanillaGlobalMutableState.class), NAME);
        String shipped = Files.readString(Path.of("src/main/java/net/openhft/chronicle/hash/" + NAME + ".java"));
        String code = shipped.substring(shipped.indexOf("package "));
        assertEquals(expected, code, "regenerate " + NAME + ".java from the expected text");
    }

    @Test
    void chronicleLoadsTheShippedClass() {
        assertEquals(NAME, Values.nativeClassFor(VanillaGlobalMutableState.class).getSimpleName());
        assertEquals(ChronicleBackend.class.getProtectionDomain().getCodeSource(),
                Values.nativeClassFor(VanillaGlobalMutableState.class).getProtectionDomain().getCodeSource(),
                "loaded from core-mvcc's classes, not compiled at run time");
    }
}
