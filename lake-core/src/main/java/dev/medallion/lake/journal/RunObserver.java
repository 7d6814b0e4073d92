package dev.medallion.lake.journal;

/** Told what a run is about to publish, and that it is still working (see {@link RunJournal}). */
public interface RunObserver {
    RunObserver NONE = new RunObserver() {
        @Override
        public void publishing(String key) {
        }

        @Override
        public void progress() {
        }
    };

    /** Called before the object {@code key} becomes visible; a failure stops the run before it does. */
    void publishing(String key);

    /** Called every few thousand rows, and while a long write goes on. */
    void progress();
}
