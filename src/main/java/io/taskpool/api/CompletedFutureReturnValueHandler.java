package io.taskpool.api;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Writes a controller's {@link CompletableFuture} at once when it is already complete: a
 * submission without {@code waitMs}, a read of a finished task. Spring MVC would otherwise start
 * the servlet's asynchronous mode for it and dispatch the request a second time, through every
 * filter again, which the profile showed as about a third of a submission's CPU. A future still
 * pending (a real long poll) goes to Spring's own asynchronous handling, unchanged.
 */
final class CompletedFutureReturnValueHandler implements HandlerMethodReturnValueHandler {

    private final HandlerMethodReturnValueHandler others;

    /** @param others Spring MVC's own handlers, which write the value and handle pending futures */
    CompletedFutureReturnValueHandler(HandlerMethodReturnValueHandler others) {
        this.others = others;
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return CompletableFuture.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer container,
            NativeWebRequest request) throws Exception {
        if (!(returnValue instanceof CompletableFuture<?> future) || !future.isDone() || future.isCancelled()) {
            others.handleReturnValue(returnValue, returnType, container, request);
            return;
        }
        Object value;
        try {
            value = future.join();
        } catch (CompletionException failed) {
            // The same exception an asynchronous completion would have handed to the error handlers.
            if (failed.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw failed;
        }
        others.handleReturnValue(value, new FutureValueType(returnType), container, request);
    }

    /**
     * The return type as the future's type argument ({@code ResponseEntity<TaskView>},
     * {@code TaskView}), which decides how the value is written: what Spring MVC itself looks at
     * when an asynchronous result comes back.
     */
    private static final class FutureValueType extends MethodParameter {
        private final ResolvableType valueType;

        FutureValueType(MethodParameter future) {
            super(future);
            this.valueType = ResolvableType.forMethodParameter(future).getGeneric();
        }

        private FutureValueType(FutureValueType original) {
            super(original);
            this.valueType = original.valueType;
        }

        @Override
        public Class<?> getParameterType() {
            return valueType.toClass();
        }

        @Override
        public Type getGenericParameterType() {
            return valueType.getType();
        }

        @Override
        public FutureValueType clone() {
            return new FutureValueType(this);
        }
    }
}
