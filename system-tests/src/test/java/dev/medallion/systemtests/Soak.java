package dev.medallion.systemtests;

/**
 * The size of a reliability scenario: its fast form runs in CI on every change, its soak form ({@code -Psoak},
 * docs/reliability.md) runs the same scenario longer and larger.
 */
final class Soak {
    static final boolean ON = Boolean.getBoolean("medallion.soak");

    private Soak() {
    }

    /** {@code fast} in CI, {@code soak} when soaking. */
    static int pick(int fast, int soak) {
        return ON ? soak : fast;
    }
}
