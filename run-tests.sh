#!/usr/bin/env bash
# Every test: the Java build's unit and integration tests, the Python client's tests against the
# jar that build made, and the Helm chart's checks. Needs a JDK 17+, python3 and node/npm.
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -B verify
bash clients/python/run-tests.sh
bash helm/check.sh
