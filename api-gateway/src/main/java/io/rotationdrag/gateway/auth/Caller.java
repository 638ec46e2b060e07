package io.rotationdrag.gateway.auth;

import io.rotationdrag.gateway.api.ApiException;
import jakarta.enterprise.context.RequestScoped;

/** The principal of the current request, set by {@link AuthFilter}. */
@RequestScoped
public class Caller {
    private Principal principal;

    void set(Principal p) {
        this.principal = p;
    }

    /** @throws ApiException 401 when the request carried no valid credential */
    public Principal require() {
        if (principal == null) {
            throw AuthFilter.unauthorized("an API key is required: send 'Authorization: Bearer <key>'");
        }
        return principal;
    }
}
