package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of the task list. */
@Schema(name = "TaskPage", description = "One page of the task list, newest first")
record TaskPage(
        @Schema(description = "Tasks, newest first") List<TaskView> items,
        @Schema(nullable = true, description = "Pass as cursor for the next page; null on the last page")
        String nextCursor) {}
