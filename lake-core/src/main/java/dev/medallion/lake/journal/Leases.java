package dev.medallion.lake.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.Hashing;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * Exclusive, expiring leases on named resources (a partition to compact), kept in the store with nothing but
 * create-only writes ({@link ObjectStore#createIfAbsent}, a PUT with {@code If-None-Match: *} on S3).
 *
 * <p>
 * A resource's lease is a numbered series of small objects, {@code {prefix}/{hash(resource)}/{n}.json}; the highest
 * number is the lease's state (held by an owner until a time, or released). Every change, taking the lease, renewing
 * it, releasing it, is the creation of the next number, so of two processes making a change from the same state
 * exactly one succeeds: two replicas that both find a lease expired cannot both take it. Older numbers are deleted
 * once a newer one exists; the newest is never deleted. A process that read an old state and creates a number that
 * was deleted since checks that its number is the newest before it believes it holds the lease.
 */
public final class Leases {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /** A lease's state: held by {@code owner} until {@code expiresAt}, or released. */
    public record State(String owner, Instant expiresAt, boolean released) {
    }

    private final ObjectStore store;
    private final SupportsPrefixListing listing;
    private final String prefix;
    private final String owner;
    private final Duration duration;
    private final Clock clock;

    /**
     * @param prefix where the leases live, ending in {@code /}
     * @param owner who takes leases through this object (a host name and process id), for operators to read
     * @param duration how long a lease lasts unless renewed
     */
    public Leases(ObjectStore store, String prefix, String owner, Duration duration, Clock clock) {
        if (!(store instanceof SupportsPrefixListing prefixListing)) {
            throw new IllegalArgumentException("Leases need a store that lists keys");
        }
        this.store = store;
        this.listing = prefixListing;
        this.prefix = prefix;
        this.owner = owner;
        this.duration = duration;
        this.clock = clock;
    }

    /** Takes the lease on {@code resource} if nobody holds it, or its holder let it expire. */
    public Optional<Lease> acquire(String resource) {
        String folder = prefix + Hashing.sha256Hex(resource) + "/";
        List<Long> numbers = numbers(folder);
        long next = 0;
        if (!numbers.isEmpty()) {
            long newest = numbers.get(numbers.size() - 1);
            Optional<State> state = read(key(folder, newest));
            if (state.isEmpty() || !state.get().released() && !state.get().expiresAt().isBefore(clock.instant())) {
                return Optional.empty(); // held (or changing hands right now)
            }
            next = newest + 1;
        }
        if (!store.createIfAbsent(key(folder, next), state(false))) {
            return Optional.empty();
        }
        List<Long> after = numbers(folder);
        if (after.get(after.size() - 1) != next) {
            store.delete(key(folder, next)); // made from a state read before a newer one: the newer one stands
            return Optional.empty();
        }
        var lease = new Lease(resource, folder, next);
        lease.deleteOlder(after);
        return Optional.of(lease);
    }

    /** A lease this process holds. One thread uses it. */
    public final class Lease implements AutoCloseable {
        private final String resource;
        private final String folder;
        private long number;
        private Instant renewedAt;
        private boolean lost;

        private Lease(String resource, String folder, long number) {
            this.resource = resource;
            this.folder = folder;
            this.number = number;
            this.renewedAt = clock.instant();
        }

        public String resource() {
            return resource;
        }

        /**
         * Extends the lease when a third of it has passed since it was last renewed.
         *
         * @throws LeaseLostException if it expired and another process took it, or it can no longer be renewed in time
         */
        public void renewIfDue() {
            if (lost || clock.instant().isAfter(renewedAt.plus(duration.dividedBy(3)))) {
                confirm();
            }
        }

        /**
         * Renews the lease now, proving it is still held: called before a step another holder must not also take.
         *
         * @throws LeaseLostException if it is not held any more
         */
        public void confirm() {
            Instant now = clock.instant();
            if (lost || renewedAt.plus(duration).isBefore(now)) {
                lost = true;
                throw new LeaseLostException("The lease on " + resource + " expired before it was renewed");
            }
            advance(state(false));
            renewedAt = now;
        }

        /** Releases the lease; a lease already lost is left to its new holder. */
        @Override
        public void close() {
            if (!lost) {
                try {
                    advance(state(true));
                } catch (LeaseLostException e) {
                    // another process holds it now: nothing of ours to release
                }
            }
        }

        private void advance(byte[] state) {
            if (!store.createIfAbsent(key(folder, number + 1), state)) {
                lost = true;
                throw new LeaseLostException("The lease on " + resource + " was taken by another process");
            }
            store.delete(key(folder, number));
            number++;
        }

        private void deleteOlder(List<Long> numbers) {
            numbers.stream().filter(n -> n < number).forEach(n -> store.delete(key(folder, n)));
        }
    }

    /** The lease was lost: whoever held it must stop before changing anything more. */
    public static final class LeaseLostException extends RuntimeException {
        public LeaseLostException(String message) {
            super(message);
        }
    }

    private List<Long> numbers(String folder) {
        try (Stream<ObjectInfo> objects = listing.list(folder)) {
            return objects.map(o -> o.key().substring(folder.length()))
                    .filter(name -> name.matches("\\d{20}\\.json"))
                    .map(name -> Long.parseLong(name.substring(0, 20))).sorted().toList();
        }
    }

    private static String key(String folder, long number) {
        return folder + String.format(Locale.ROOT, "%020d", number) + ".json";
    }

    private byte[] state(boolean released) {
        try {
            return JSON.writeValueAsBytes(new State(owner, clock.instant().plus(duration), released));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<State> read(String key) {
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readValue(in, State.class));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the lease " + key, e);
        }
    }
}
