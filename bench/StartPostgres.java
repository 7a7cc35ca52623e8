import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * Runs a PostgreSQL server for the cluster benchmark from Maven Central binaries, on the port and
 * in the directory given, prints its JDBC URL, and stops when its standard input closes. Commits
 * wait for their WAL flush, as with PostgreSQL's defaults (the embedded server's own default
 * turns that off, which no production database would).
 */
public class StartPostgres {
    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(Integer.parseInt(args[0]))
                .setDataDirectory(Path.of(args[1])).setCleanDataDirectory(true)
                .setServerConfig("synchronous_commit", "on").start()) {
            System.out.println(postgres.getJdbcUrl("postgres", "postgres"));
            System.out.flush();
            while (System.in.read() != -1) {
                // runs until the script that started it goes away
            }
        }
    }
}
