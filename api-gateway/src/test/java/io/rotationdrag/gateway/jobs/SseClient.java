package io.rotationdrag.gateway.jobs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal server-sent-events reader (text/event-stream framing: "event:", "data:", blank line). */
public final class SseClient implements AutoCloseable {
    public record Event(String name, String data) {
    }

    static final Event CLOSED = new Event("<closed>", "");

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile int status;

    /** A stream read as alice (TestAuth). */
    SseClient(URI uri) {
        this(uri, io.rotationdrag.gateway.TestAuth.ALICE);
    }

    /** @param key API key sent as a bearer token; null = none (a signed link in the URI, or anonymous) */
    public SseClient(URI uri, String key) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        HttpRequest req = b.build();
        response = http.sendAsync(req, HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            status = r.statusCode();
            String name = null;
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = r.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (name != null || data.length() > 0) {
                            events.add(new Event(name == null ? "message" : name, data.toString()));
                        }
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) {
                            data.append('\n');
                        }
                        data.append(line.substring(5).strip());
                    }
                }
            } catch (RuntimeException e) {
                // connection closed by close()
            }
            events.add(CLOSED);
        });
    }

    public int status() {
        return status;
    }

    /** The next event, or fails after the timeout. */
    public Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }

    /** Skips events until one with the name arrives (fails on close or timeout). */
    public Event until(String name, Duration timeout) throws InterruptedException {
        return until(name, e -> true, timeout);
    }

    /** Skips events until one with the name whose data passes the test arrives. */
    Event until(String name, java.util.function.Predicate<String> data, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (e.name().equals(name) && data.test(e.data())) {
                return e;
            }
            if (e == CLOSED) {
                throw new AssertionError("stream closed before a '" + name + "' event");
            }
        }
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
