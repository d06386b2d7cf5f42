package io.vetcd.server.cli;

import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Go's {@code time.ParseDuration}, which etcd's duration flags use: an optional sign, then one or more
 * decimal numbers each with a unit ({@code ns}, {@code us}/{@code µs}, {@code ms}, {@code s}, {@code m},
 * {@code h}), as in {@code 10m}, {@code 100ms}, {@code 1m30s}, {@code 1.5h}; {@code 0} alone is allowed.
 */
final class GoDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numberStart, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            long unit = unitNanos(s.substring(unitStart, i), text);
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
        }
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new TypeConversionException("time: invalid duration \"" + text + "\" (out of range)");
        }
        long total = nanos.longValue(); // Go truncates fractions of a nanosecond too
        return Duration.ofNanos(negative ? -total : total);
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new TypeConversionException("time: missing unit in duration \"" + text + "\"");
            default -> throw new TypeConversionException("time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }

    private static TypeConversionException invalid(String text) {
        return new TypeConversionException("time: invalid duration \"" + text + "\"");
    }
}
