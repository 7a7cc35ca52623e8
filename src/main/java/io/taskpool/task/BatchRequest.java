package io.taskpool.task;

/**
 * A batch submission read as a stream, so that a request of 100,000 inputs is stored in slices
 * and never held in memory whole. Calls come in this order: {@link #readHeader()}, then
 * {@link #nextInput()} until it returns {@code null}, then {@link #readRest()}, then
 * {@link #requestHash()}. A malformed or oversized body fails the call that reads it, with an
 * exception the API layer maps to a problem response.
 */
public interface BatchRequest {

    /** The fields that come before the inputs (all of them when {@code inputs} comes last). */
    BatchHeader readHeader();

    /** The next input as a JSON object's text, or {@code null} after the last. */
    String nextInput();

    /** The fields that come after the inputs. */
    BatchHeader readRest();

    /** A digest of the whole request, equal for equal JSON whatever its white space. */
    String requestHash();
}
