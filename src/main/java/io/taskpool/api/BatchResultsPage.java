package io.taskpool.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** A page of a batch's results in input order. */
@Schema(name = "BatchResults", description = "A page of a batch's items in input order, like Pool.map's list")
record BatchResultsPage(
        @Schema(description = "Items in input order") List<BatchItemView> items,
        @Schema(nullable = true, description = "Pass as offset for the next page; null after the last item",
                example = "100") Integer nextOffset) {}
