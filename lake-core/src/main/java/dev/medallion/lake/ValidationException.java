package dev.medallion.lake;

/** Input from outside (a name, a spec, a message) is not valid; retrying the same input cannot succeed. */
public class ValidationException extends LakeException {

    public ValidationException(String message) {
        super(message);
    }

    public ValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
