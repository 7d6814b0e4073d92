package dev.medallion.lake;

/**
 * Root of the unchecked exceptions lake-core throws. Messages read {@code Cannot <verb> <thing>: <reason>}.
 */
public class LakeException extends RuntimeException {

    public LakeException(String message) {
        super(message);
    }

    public LakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
