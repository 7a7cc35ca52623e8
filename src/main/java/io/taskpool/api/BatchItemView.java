package io.taskpool.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.media.Schema;
import io.taskpool.task.BatchItem;
import io.taskpool.task.TaskError;

/** One item's outcome, in a results page or as one NDJSON line. */
@Schema(name = "BatchItem", description = "One item of a batch: its position in the inputs, state, and result or error")
record BatchItemView(
        @Schema(description = "Position in the batch's inputs, from 0", example = "0") int index,
        @Schema(description = "The item task's state", example = "SUCCEEDED",
                allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})
        String state,
        @Schema(types = {"object", "null"}, description = "The result, once SUCCEEDED",
                example = "{\"count\": 25}")
        @JsonRawValue String result,
        @Schema(nullable = true, description = "Why the item did not succeed") TaskView.ErrorView error) {

    static BatchItemView of(BatchItem item) {
        TaskError error = item.error();
        return new BatchItemView(item.index(), item.state().name(), item.resultJson(),
                error == null ? null : new TaskView.ErrorView(error.code(), error.message(), error.detail()));
    }
}
