#!/usr/bin/env bash
# Runs the lmshards Spark preprocessing job (org.lmshards.spark.PreprocessJob).
#
#   ./submit.sh [job options]        e.g. ./submit.sh --force
#                                         ./submit.sh --train corpus/ --output cache/corpus
#
# With no --train it preprocesses $LMSHARDS_DATA (train.csv -> train, test.csv -> valid) into
# cache/<name of the data directory>. Job defaults come from conf/job.conf, Spark settings from
# conf/spark-defaults.conf, logging from conf/log4j2.properties.
#
# Runs through spark-submit when one is on the PATH or under $SPARK_HOME, otherwise in-process
# in Spark local mode with java (building spark-jobs/target/lmshards-spark.jar first if it is
# missing). The job's exit code is passed through: 0 ok or cache hit, 1 internal failure,
# 2 bad command line, 3 bad input.
#
# Environment:
#   LMSHARDS_DATA          data directory with train.csv/test.csv (default data/wikitext-tiny;
#                          relative paths are relative to the project root)
#   LMSHARDS_MASTER        Spark master, overriding spark.master of spark-defaults.conf
#   LMSHARDS_CONF_DIR      configuration directory (default conf/)
#   LMSHARDS_LOCAL=1       run in-process even when spark-submit is available
#   LMSHARDS_SUBMIT_ARGS   extra spark-submit arguments, e.g. "--deploy-mode client --conf k=v"
#   LMSHARDS_JAVA_OPTS     extra JVM options in local mode
#   LMSHARDS_SYNTHETIC=0   when no data is found, fail (exit 3) instead of using a synthetic corpus
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="${LMSHARDS_CONF_DIR:-$ROOT/conf}"
APP_JAR="$ROOT/spark-jobs/target/lmshards-spark.jar"
CLASSPATH_FILE="$ROOT/spark-jobs/target/spark-classpath.txt"
MAIN_CLASS="org.lmshards.spark.PreprocessJob"
SYNTH_MB=5

say() { echo "submit.sh: $*" >&2; }

loud() {
  echo >&2
  echo "################################################################################" >&2
  while [ $# -gt 0 ]; do echo "## $1" >&2; shift; done
  echo "################################################################################" >&2
  echo >&2
}

trim() { printf '%s' "$1" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//'; }

abs_from_root() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$ROOT/$1" ;;
  esac
}

build_if_missing() {
  if [ ! -f "$APP_JAR" ] || [ ! -f "$CLASSPATH_FILE" ]; then
    say "building the application jar (mvn -B -ntp -q -DskipTests package -pl spark-jobs -am) ..."
    (cd "$ROOT" && mvn -B -ntp -q -DskipTests package -pl spark-jobs -am)
  fi
}

# --- job options: the user's, then conf/job.conf defaults for options the user did not give ---
user_args=("$@")
has_option() {
  local name="$1" a
  for a in "${user_args[@]+"${user_args[@]}"}"; do
    if [ "$a" = "$name" ] || [[ "$a" == "$name="* ]]; then return 0; fi
  done
  return 1
}

job_args=("$@")
if [ -f "$CONF_DIR/job.conf" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    [[ "$line" == *=* ]] || continue
    key="$(trim "${line%%=*}")"
    value="$(trim "${line#*=}")"
    [ -n "$key" ] && [ -n "$value" ] || continue
    # a given vocabulary is used as it is: the job refuses the options that shape a built one
    if has_option --vocab && { [ "$key" = min-freq ] || [ "$key" = max-vocab ]; }; then continue; fi
    has_option "--$key" || job_args+=("--$key" "$value")
  done < "$CONF_DIR/job.conf"
fi

help_only=0
for a in "${user_args[@]+"${user_args[@]}"}"; do
  case "$a" in -h|--help|-V|--version) help_only=1 ;; esac
done

# --- default data set when no --train is given ---
if [ "$help_only" = 0 ] && ! has_option --train; then
  if [ -n "${LMSHARDS_DATA:-}" ]; then
    data="$(abs_from_root "$LMSHARDS_DATA")"
  elif [ -f "$ROOT/data/wikitext-tiny/train.csv" ]; then
    data="$ROOT/data/wikitext-tiny"
  elif [ -f "$ROOT/../shared/data/wikitext-tiny/train.csv" ]; then
    # the shared checkout layout the tests use
    data="$(cd "$ROOT/../shared/data/wikitext-tiny" && pwd)"
    say "using the shared data set $data (set LMSHARDS_DATA to choose another)"
  else
    data="$ROOT/data/wikitext-tiny"
  fi

  if [ -f "$data/train.csv" ]; then
    name="$(basename "$data")"
    job_args+=(--train "$data/train.csv")
    if [ -f "$data/test.csv" ] && ! has_option --valid; then job_args+=(--valid "$data/test.csv"); fi
    has_option --output || job_args+=(--output "$ROOT/cache/$name")
  else
    cat >&2 <<EOF
submit.sh: no data at $data (train.csv missing).

Get the WikiText data set (fastai's WIKITEXT_TINY):
  mkdir -p data && curl -L https://s3.amazonaws.com/fast-ai-nlp/wikitext-tiny.tgz | tar -xz -C data
then run ./submit.sh again, or point LMSHARDS_DATA at a directory holding train.csv and test.csv.
EOF
    if [ "${LMSHARDS_SYNTHETIC:-1}" = 0 ]; then
      exit 3
    fi
    loud "NO REAL DATA FOUND: USING A SYNTHETIC CORPUS INSTEAD." \
         "The text is machine-generated WikiText-like filler (${SYNTH_MB} MB, seed 42), only" \
         "so that you can watch the pipeline run. Models trained on it learn nothing useful." \
         "Output: cache/synthetic. Set LMSHARDS_SYNTHETIC=0 to fail instead."
    build_if_missing
    synth="$ROOT/cache/synthetic-csv"
    if [ ! -f "$synth/train.csv" ] || [ ! -f "$synth/test.csv" ]; then
      java -cp "$APP_JAR" org.lmshards.core.synth.SyntheticCorpusMain --out "$synth" --mb "$SYNTH_MB" --seed 42
    fi
    job_args+=(--train "$synth/train.csv")
    has_option --valid || job_args+=(--valid "$synth/test.csv")
    has_option --output || job_args+=(--output "$ROOT/cache/synthetic")
  fi
fi

# The settings of spark-defaults.conf ("key value" or "key=value", # comments), one
# "key<TAB>value" line each.
conf_entries() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    line="$(trim "${line%%#*}")"
    [ -n "$line" ] || continue
    key="${line%%[[:space:]=]*}"
    value="$(trim "${line#"$key"}")"
    printf '%s\t%s\n' "$key" "$(trim "${value#=}")"
  done < "$CONF_DIR/spark-defaults.conf"
}

# The value of a key in spark-defaults.conf, or empty.
conf_value() {
  local key value
  while IFS=$'\t' read -r key value; do
    if [ "$key" = "$1" ]; then
      printf '%s' "$value"
      return
    fi
  done < <(conf_entries)
}

# --- where to run ---
SPARK_SUBMIT=""
if [ "${LMSHARDS_LOCAL:-0}" != 1 ]; then
  if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
    SPARK_SUBMIT="$SPARK_HOME/bin/spark-submit"
  elif command -v spark-submit >/dev/null 2>&1; then
    SPARK_SUBMIT="$(command -v spark-submit)"
  fi
fi

build_if_missing

if [ -n "$SPARK_SUBMIT" ]; then
  submit=("$SPARK_SUBMIT" --properties-file "$CONF_DIR/spark-defaults.conf")
  [ -n "${LMSHARDS_MASTER:-}" ] && submit+=(--master "$LMSHARDS_MASTER")
  # --driver-java-options replaces spark.driver.extraJavaOptions of the properties file: keep those
  driver_opts="$(conf_value spark.driver.extraJavaOptions)"
  submit+=(--driver-java-options "${driver_opts:+$driver_opts }-Dlog4j2.configurationFile=$CONF_DIR/log4j2.properties")
  # word splitting is intended: LMSHARDS_SUBMIT_ARGS is a list of spark-submit arguments
  # shellcheck disable=SC2206
  [ -n "${LMSHARDS_SUBMIT_ARGS:-}" ] && submit+=(${LMSHARDS_SUBMIT_ARGS})
  submit+=(--class "$MAIN_CLASS" "$APP_JAR")
  say "running with $SPARK_SUBMIT"
  exec "${submit[@]}" "${job_args[@]+"${job_args[@]}"}"
fi

# Local mode: the same JVM flags spark-submit passes on Java 17 (one list, in the parent pom).
jvm_flags="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$ROOT/pom.xml")"
if [ -z "$jvm_flags" ]; then
  say "cannot read spark.jvm.flags from $ROOT/pom.xml"
  exit 1
fi
# shellcheck disable=SC2206
java_cmd=(java $jvm_flags)
heap="2g"
master=""
while IFS=$'\t' read -r key value; do
  case "$key" in
    spark.driver.memory) heap="$value" ;;
    # word splitting is intended: a list of JVM options
    # shellcheck disable=SC2206
    spark.driver.extraJavaOptions) java_cmd+=($value) ;;
    spark.master) master="$value" ;;
    *) java_cmd+=("-D$key=$value") ;;
  esac
done < <(conf_entries)
master="${LMSHARDS_MASTER:-${master:-local[*]}}"
java_cmd+=("-Xmx$heap" "-Dspark.master=$master")
# shellcheck disable=SC2206
[ -n "${LMSHARDS_JAVA_OPTS:-}" ] && java_cmd+=(${LMSHARDS_JAVA_OPTS})
java_cmd+=(-cp "$CONF_DIR:$APP_JAR:$(cat "$CLASSPATH_FILE")" "$MAIN_CLASS")

say "no spark-submit found: running in-process, master $master (set SPARK_HOME to use spark-submit)"
exec "${java_cmd[@]}" "${job_args[@]+"${job_args[@]}"}"
