package io.taskpool.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import tools.jackson.core.type.TypeReference;

/** What every store does to move values between Java and its rows, the same way on H2 and PostgreSQL. */
final class Rows {

    /** A task's or a batch's labels, stored as a JSON object. */
    static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

    private Rows() {}

    /** A timestamp column's value: UTC, as both databases keep it (null stays null). */
    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A timestamp column as an instant, or null. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
