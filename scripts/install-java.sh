#!/usr/bin/env bash
# Install a Java runtime for the Spark engine (--engine spark; tests/test_spark.py and the Spark
# conformance cases). pyspark 4 needs Java 17 or later, pyspark 3.5 Java 8, 11 or 17.
# Idempotent: does nothing when a Java 17+ is already on PATH or in JAVA_HOME. Needs root (or
# passwordless sudo) and apt; prints the command to run otherwise.
set -euo pipefail

java_major() {  # major version of the java at $1: 8 for 1.8, 17 for 17.0.x
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n1 |
    awk '{ print ($1 == 1 ? $2 : $1) }'
}

for java in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)"; do
  if [ -n "$java" ] && [ -x "$java" ]; then
    major="$(java_major "$java")"
    if [ -n "$major" ] && [ "$major" -ge 17 ]; then
      echo "Java $major already installed: $java"
      exit 0
    fi
  fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-java.sh: apt-get not found; install Java 17 (e.g. Eclipse Temurin) with your" \
       "package manager and put 'java' on PATH or set JAVA_HOME" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-java.sh: root is needed to install Java; run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian 12 and Ubuntu 22.04/24.04 ship openjdk-17; newer releases may only have 21 (also fine).
if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then
  package=openjdk-17-jre-headless
else
  package=openjdk-21-jre-headless
fi
# The JRE's postinst needs this folder on slim images.
$SUDO mkdir -p /usr/share/man/man1
$SUDO apt-get install -y -qq --no-install-recommends "$package" >/dev/null
echo "Java installed: $(command -v java) ($package)"
