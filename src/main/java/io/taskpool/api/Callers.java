package io.taskpool.api;

import io.taskpool.task.Caller;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The caller of the request being handled. With no API keys and no JWT issuer configured every
 * request is the one local caller; otherwise it is whoever the request authenticated as.
 */
final class Callers {

    private final boolean open;

    Callers(boolean open) {
        this.open = open;
    }

    Caller current() {
        if (open) {
            return Caller.LOCAL;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof CallerAuthentication caller) {
            return caller.caller();
        }
        // The filter chain lets no unauthenticated request through to a controller; this is a guard.
        throw new AccessDeniedException("the request is not authenticated");
    }
}
