package io.vetcd.bench.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * A progress bar like etcd's (cheggaaa/pb): {@code  1234 / 10000 [=====>-----]  12.34% 3s}, redrawn on
 * stderr five times a second by a daemon thread, finished with a newline.
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 60;
    private final long total;
    private final PrintStream out;
    private final LongAdder count = new LongAdder(); // striped: event loops count events without contention
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    public Progress(long total, PrintStream out) {
        this.total = total;
        this.out = out;
        this.thread = new Thread(this::loop, "progress");
        thread.setDaemon(true);
        thread.start();
    }

    public void increment() {
        count.increment();
    }

    public void add(long n) {
        count.add(n);
    }

    private void loop() {
        while (running) {
            draw();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void draw() {
        long n = count.sum();
        double frac = total <= 0 ? 1 : Math.min(1.0, (double) n / total);
        int filled = (int) (frac * WIDTH);
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : '-');
        }
        long secs = (System.nanoTime() - startNanos) / 1_000_000_000L;
        out.print(String.format(Locale.ROOT, "\r %d / %d [%s] %6.2f%% %ds", n, total, bar, frac * 100, secs));
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        out.println();
        out.flush();
    }
}
