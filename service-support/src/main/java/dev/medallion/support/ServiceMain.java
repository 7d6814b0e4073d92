package dev.medallion.support;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Every service's main: Quarkus's default (wait until asked to stop), after one garbage collection in native
 * executables. Their young generation is reclaimed only when it fills, so an idle replica would otherwise keep
 * start-up's garbage resident; a full collection frees those chunks and hands them back to the system. Quarkus calls
 * {@link #run} once start-up is over and measured: inside start-up the collection's pause would delay listening, and
 * one much later (a second) keeps more chunks resident. On the JVM the collector sizes its own heap, and an explicit
 * collection would only cost a pause.
 */
@QuarkusMain
public class ServiceMain implements QuarkusApplication {
    @Override
    public int run(String... args) {
        if (ImageMode.current() == ImageMode.NATIVE_RUN) {
            System.gc();
        }
        Quarkus.waitForExit();
        return ApplicationLifecycleManager.getExitCode(); // an asyncExit's code, else 0
    }
}
