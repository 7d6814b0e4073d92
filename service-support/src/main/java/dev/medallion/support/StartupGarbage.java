package dev.medallion.support;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import io.quarkus.runtime.ImageMode;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;

/**
 * Native executables collect the garbage of start-up once it is over. Their young generation is reclaimed only when
 * it fills, so an idle replica would otherwise keep start-up's garbage resident; a full collection frees those chunks
 * and hands them back to the system. It runs once the HTTP server listens (the events come asynchronously): inside
 * start-up its pause (tens of milliseconds on a micro-VM) would delay listening, and a collection much later keeps
 * more chunks resident. On the JVM the collector sizes its own heap, and an explicit collection would only cost a
 * pause.
 */
@Singleton
class StartupGarbage {
    private final AtomicBoolean collected = new AtomicBoolean();

    void afterHttp(@ObservesAsync HttpServerStart event) {
        collectOnce();
    }

    /** With TLS and no plain listener, only this one comes. */
    void afterHttps(@ObservesAsync HttpsServerStart event) {
        collectOnce();
    }

    private void collectOnce() {
        if (ImageMode.current() == ImageMode.NATIVE_RUN && collected.compareAndSet(false, true)) {
            System.gc();
        }
    }
}
