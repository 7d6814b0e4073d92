package dev.medallion.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The JSON body of every error response. Registered for reflection: Jackson writes it inside a {@code Response},
 * whose entity type Quarkus cannot see to register.
 *
 * @param error a stable, machine-readable code
 * @param reason a sentence a person can act on
 */
@RegisterForReflection
public record ErrorBody(String error, String reason) {
}
