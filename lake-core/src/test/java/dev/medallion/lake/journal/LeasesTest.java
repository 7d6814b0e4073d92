package dev.medallion.lake.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.MutableClock;
import dev.medallion.lake.store.ObjectInfo;

class LeasesTest {
    private static final Duration LEASE = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock();
    private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
    private static final String PREFIX = "_state/test/leases/";

    private final Leases first = new Leases(store, PREFIX, "first", LEASE, clock);
    private final Leases second = new Leases(store, PREFIX, "second", LEASE, clock);

    @Test
    void aHeldLeaseIsNotGrantedTwiceAndIsFreeAgainOnceReleased() {
        Optional<Leases.Lease> lease = first.acquire("sales/day=1");
        assertThat(lease).isPresent();
        assertThat(second.acquire("sales/day=1")).isEmpty();
        assertThat(second.acquire("sales/day=2")).as("another resource").isPresent();

        lease.get().close();

        assertThat(second.acquire("sales/day=1")).isPresent();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsFormerHolderFindsOutWhenItRenews() {
        Leases.Lease stale = first.acquire("p").orElseThrow();
        clock.advance(LEASE.plusSeconds(1));

        Leases.Lease fresh = second.acquire("p").orElseThrow();

        assertThatThrownBy(stale::confirm).isInstanceOf(Leases.LeaseLostException.class);
        assertThatThrownBy(stale::renewIfDue).isInstanceOf(Leases.LeaseLostException.class);
        stale.close(); // releasing a lost lease must not release the new holder's
        assertThat(first.acquire("p")).isEmpty();
        fresh.confirm();
    }

    @Test
    void renewingKeepsTheLeaseBeyondItsFirstExpiry() {
        Leases.Lease lease = first.acquire("p").orElseThrow();
        for (int i = 0; i < 5; i++) {
            clock.advance(LEASE.dividedBy(2));
            lease.renewIfDue();
            assertThat(second.acquire("p")).isEmpty();
        }
        assertThat(store.list(PREFIX)).as("older states are deleted").hasSize(1);
    }

    @Test
    void ofTwoProcessesThatFindTheSameLeaseExpiredOnlyOneTakesIt() {
        first.acquire("p").orElseThrow();
        clock.advance(LEASE.plusSeconds(1));
        Leases third = new Leases(store, PREFIX, "third", LEASE, clock);

        assertThat(second.acquire("p")).isPresent();
        assertThat(third.acquire("p")).isEmpty();
    }

    @Test
    void aProcessThatReadAnOldStateAndRecreatesADeletedNumberBacksOffForTheNewestHolder() throws Exception {
        first.acquire("p").orElseThrow(); // number 0
        ObjectInfo zero = store.list(PREFIX).toList().get(0);
        byte[] zeroState;
        try (var in = store.open(zero.key())) {
            zeroState = in.readAllBytes();
        }
        clock.advance(LEASE.plusSeconds(1));
        Leases.Lease holder = second.acquire("p").orElseThrow(); // number 1; 0 is deleted
        holder.confirm(); // number 2; 1 is deleted
        // a slow process listed the folder and read number 0 back when it had expired, and only now acts on it
        var stale = new ForwardingObjectStore(store) {
            private boolean listed;

            @Override
            public Stream<ObjectInfo> list(String prefix) {
                if (listed) {
                    return super.list(prefix);
                }
                listed = true;
                return Stream.of(zero);
            }

            @Override
            public InputStream open(String key, long offset) {
                return key.equals(zero.key()) ? new ByteArrayInputStream(zeroState) : super.open(key, offset);
            }
        };

        assertThat(new Leases(stale, PREFIX, "slow", LEASE, clock).acquire("p")).isEmpty();

        holder.confirm();
        assertThat(store.list(PREFIX)).hasSize(1);
    }
}
