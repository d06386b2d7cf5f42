package io.vetcd.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl check datascale} can read vetcd's memory use. Running it writes hundreds of thousands of
 * keys, so this test reads {@code /metrics} the way it does instead: etcdctl 3.4's {@code
 * endpointMemoryMetrics} ({@code etcdctl/ctlv3/command/util.go}) takes the first line that starts with
 * {@code process_resident_memory_bytes}, trims what follows the name and parses it with Go's {@code
 * strconv.ParseFloat}; a result of 0 (nothing found, or a parse error) fails the check.
 */
class DatascaleResidentMemoryTest {
    /** The decimal numbers Go's {@code strconv.ParseFloat(s, 64)} accepts (its hex and Inf/NaN forms aside). */
    private static final Pattern GO_DECIMAL_FLOAT =
            Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    @RegisterExtension
    static final HttpFixture fixture = new HttpFixture();

    @Test
    void residentMemoryParsesAsEtcdctlParsesIt() throws Exception {
        HttpResponse<String> r = fixture.get("/metrics");
        assertEquals(200, r.statusCode());
        String value = null;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("process_resident_memory_bytes")) {
                value = line.substring("process_resident_memory_bytes".length()).trim();
                break;
            }
        }
        assertNotNull(value, "could not find: process_resident_memory_bytes");
        assertTrue(GO_DECIMAL_FLOAT.matcher(value).matches(), "strconv.ParseFloat would refuse " + value);
        assertTrue(Double.parseDouble(value) > 0, value);
    }
}
