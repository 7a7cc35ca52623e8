-- A batch's inputs as submitted, in slices of consecutive items: a submission writes a few rows
-- instead of one task row per item (each task row costs every index of the task table), and the
-- service turns the slices into item tasks in the background, in input order.
CREATE TABLE batch_input (
    batch_id     UUID              NOT NULL,
    first_index  INTEGER           NOT NULL,
    item_count   INTEGER           NOT NULL,
    -- The slice's inputs as compact JSON texts, one per line: compact JSON never holds a raw
    -- line break, so a newline separates inputs unambiguously.
    inputs       CHARACTER VARYING NOT NULL,
    PRIMARY KEY (batch_id, first_index)
);

-- Items 0 ..< items_written exist as task rows; the rest are still in batch_input.
ALTER TABLE batch ADD COLUMN items_written INTEGER NOT NULL DEFAULT 0;
-- The dispatch round of the batch's first chunk, fixed at submission.
ALTER TABLE batch ADD COLUMN base_round BIGINT NOT NULL DEFAULT 0;
-- Batches submitted before slices existed wrote all their items at once.
UPDATE batch SET items_written = item_count;
