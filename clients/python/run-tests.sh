#!/usr/bin/env bash
# Runs the Python client's tests against the real service. Needs a JDK 17+ and python3, no pip
# packages. Builds target/taskpool.jar first if it is missing (offline when the local Maven
# repository already has everything, online otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f target/taskpool.jar ]; then
  ./mvnw -B -q -o package -DskipTests || ./mvnw -B -q package -DskipTests
fi
PYTHONPATH="clients/python${PYTHONPATH:+:$PYTHONPATH}" python3 -m unittest discover -s clients/python/tests -v
