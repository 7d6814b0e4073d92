package dev.medallion.bench;

/** The two engines, or an engine and the generator, disagree about a step's result. */
public final class VerificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }
}
