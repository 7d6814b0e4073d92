package dev.medallion.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.store.ObjectNotFoundException;

/** Domain exceptions to HTTP statuses, in one place. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response invalid(ValidationException e) {
        return json(Response.Status.BAD_REQUEST, "invalid_request", e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(ObjectNotFoundException e) {
        return json(Response.Status.NOT_FOUND, "not_found", e.getMessage());
    }

    /** An error response with the common body. */
    public static Response json(Response.Status status, String error, String reason) {
        return json(status.getStatusCode(), error, reason);
    }

    /** An error response with the common body, for statuses JAX-RS has no constant for (422). */
    public static Response json(int status, String error, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(error, reason))
                .build();
    }
}
