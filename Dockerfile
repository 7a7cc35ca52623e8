# The taskpool image: the executable jar's layered extract on a Java runtime.
#
#   docker build -t taskpool .
#   docker run -p 8080:8080 -p 8081:8081 -v taskpool-data:/var/lib/taskpool taskpool
#
# The service's heap goes on its own command line, never in JAVA_TOOL_OPTIONS (every worker JVM
# would inherit it; each worker gets its heap from taskpool.workers.max-heap). The Helm chart
# sets the whole command, heap included; with `docker run`, replace the entrypoint:
#   docker run --entrypoint java taskpool -Xms512m -Xmx512m -XX:+ExitOnOutOfMemoryError \
#       -XX:SharedArchiveFile=taskpool.jsa -jar taskpool.jar --taskpool.workers.count=2

FROM eclipse-temurin:21-jdk AS build
WORKDIR /build
# The wrapper and the POM first: their layer, with every dependency, is rebuilt only when they change.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -DskipTests package \
    && java -Djarmode=tools -jar target/taskpool.jar extract --layers --destination /layers

FROM eclipse-temurin:21-jre
# The data volume, writable by the service's user; nothing else outside /tmp is.
RUN mkdir -p /var/lib/taskpool && chown 10001:10001 /var/lib/taskpool
WORKDIR /app
# One COPY per layer, the least often changed first, so a new build of the application alone
# ships only its last layer. Together they are taskpool.jar with its libraries in lib/, which the
# jar's manifest names; the workers run from taskpool.jar as it is.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
COPY src/main/docker/application.yaml config/application.yaml
# A class-data archive of the classes the service loads until its context is ready, from a
# training run that stops there (no port opened, no worker started, an in-memory store): the
# service then starts in about 60 % of the time (bench/run.sh, figure 0). The JVM checks that
# the archive matches its jars and runs without it, with a warning, if not.
RUN java -XX:ArchiveClassesAtExit=taskpool.jsa -Dspring.context.exit=onRefresh -jar taskpool.jar \
        --spring.datasource.url=jdbc:h2:mem:training --taskpool.workers.count=1 \
    && chmod a-w taskpool.jsa
USER 10001:10001
VOLUME ["/var/lib/taskpool"]
# 8080: the API; 8081: Actuator (health probes, Prometheus).
EXPOSE 8080 8081
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:SharedArchiveFile=taskpool.jsa", "-jar", "taskpool.jar"]
