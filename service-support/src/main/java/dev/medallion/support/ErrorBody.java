package dev.medallion.support;

/**
 * The JSON body of every error response.
 *
 * @param error a stable, machine-readable code
 * @param reason a sentence a person can act on
 */
public record ErrorBody(String error, String reason) {
}
