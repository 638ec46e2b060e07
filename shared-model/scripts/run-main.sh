#!/usr/bin/env bash
# Runs a main class of shared-model with its full class path (compile + runtime + slf4j-simple for logs).
# usage: shared-model/scripts/run-main.sh io.rotationdrag.train.TrainEmbeddedModel --out /tmp/run1 ...
# Environment: JAVA_OPTS (default -Xmx8g), THREADS (torch intra-op threads, default 1: on this shared 2-core
# machine 2 OpenMP threads measured ~10x slower per step than 1 because the spinning threads get descheduled).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
cp_file="$here/target/run-classpath.txt"
(cd "$root" && mvn -B -q -pl shared-model compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null)
threads="${THREADS:-1}"
export OMP_NUM_THREADS="$threads"
exec java ${JAVA_OPTS:--Xmx8g} -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss \
    -cp "$here/target/classes:$(cat "$cp_file")" "$@"
