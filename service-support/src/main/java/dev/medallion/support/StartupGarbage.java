package dev.medallion.support;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Native executables collect the garbage of start-up once it is over. Their young generation is reclaimed only when
 * it fills, so an idle replica would otherwise keep start-up's garbage resident (about 4 MiB of its 80); a full
 * collection frees those chunks and hands them back to the system. It runs a second after start-up rather than in
 * it, where its pause (tens of milliseconds on a micro-VM) would delay listening. On the JVM the collector sizes its
 * own heap, and an explicit collection there would only cost a pause.
 */
@Singleton
class StartupGarbage {
    private static final long DELAY_MILLIS = 1_000;

    void schedule(@Observes StartupEvent event, Vertx vertx) {
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            vertx.setTimer(DELAY_MILLIS, timer -> System.gc());
        }
    }
}
