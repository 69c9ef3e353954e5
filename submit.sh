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
# missing; the synthetic fallback also builds its generator, tools/target/lmshards-tools.jar).
# The job's exit code is passed through: 0 ok or cache hit, 1 internal failure, 2 bad command
# line, 3 bad input.
#
# Environment:
#   LMSHARDS_DATA          data directory with train.csv/test.csv (default data/wikitext-tiny;
#                          relative paths are relative to the project root); a directory named
#                          here that holds no train.csv is an error (exit 3), never the synthetic corpus
#   LMSHARDS_MASTER        Spark master, overriding spark.master of spark-defaults.conf
#   LMSHARDS_CONF_DIR      configuration directory (default conf/)
#   LMSHARDS_LOCAL=1       run in-process even when spark-submit is available
#   LMSHARDS_SUBMIT_ARGS   extra spark-submit arguments, e.g. "--deploy-mode client --conf k=v"
#   LMSHARDS_JAVA_OPTS     extra JVM options in local mode
#   LMSHARDS_SYNTHETIC=0   when no data is found, fail (exit 3) instead of using a synthetic corpus
#   LMSHARDS_SYNTHETIC_MB  size of that synthetic corpus in MB (default 5)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="${LMSHARDS_CONF_DIR:-$ROOT/conf}"
APP_JAR="$ROOT/spark-jobs/target/lmshards-spark.jar"
CLASSPATH_FILE="$ROOT/spark-jobs/target/spark-classpath.txt"
TOOLS_JAR="$ROOT/tools/target/lmshards-tools.jar"
MAIN_CLASS="org.lmshards.spark.PreprocessJob"
SYNTH_MB="${LMSHARDS_SYNTHETIC_MB:-5}"
BUILD_LOG="$ROOT/spark-jobs/target/submit-build.log"

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

# Builds, quietly, what this run needs and lacks: the application jar and its class path file,
# and with "tools" also tools/target/lmshards-tools.jar (the synthetic corpus generator).
build_if_missing() {
  local modules=() jars=()
  if [ ! -f "$APP_JAR" ] || [ ! -f "$CLASSPATH_FILE" ]; then
    modules+=(spark-jobs)
    jars+=(spark-jobs/target/lmshards-spark.jar)
  fi
  if [ "${1:-}" = tools ] && [ ! -f "$TOOLS_JAR" ]; then
    modules+=(tools)
    jars+=(tools/target/lmshards-tools.jar)
  fi
  [ "${#modules[@]}" -gt 0 ] || return 0
  local pl what
  pl="$(IFS=,; echo "${modules[*]}")"
  what="${jars[0]}${jars[1]:+ and ${jars[1]}}"
  # Maven's own output (and its colour codes) goes to a log: shown only when the build fails.
  say "first run: building $what with Maven (about 1 to 2 minutes on 2 cores;"
  say "  mvn -B -ntp -DskipTests package -pl $pl -am, log in ${BUILD_LOG#"$ROOT/"}) ..."
  mkdir -p "$(dirname "$BUILD_LOG")"
  local start=$SECONDS
  if ! (cd "$ROOT" && mvn -B -ntp -Dstyle.color=never -DskipTests package -pl "$pl" -am) >"$BUILD_LOG" 2>&1; then
    tail -n 40 "$BUILD_LOG" >&2
    say "the build failed (the last 40 lines are above; all of it: $BUILD_LOG)"
    exit 1
  fi
  say "built in $((SECONDS - start)) s"
}

usage() {
  cat <<EOF
Usage: ./submit.sh [job options]

Runs the lmshards preprocessing job (org.lmshards.spark.PreprocessJob): CSV articles -> fastai
tokens -> vocabulary -> a token-shard dataset for trainer.jar. Without --train it preprocesses
the default data set: \$LMSHARDS_DATA, else data/wikitext-tiny, else ../shared/data/wikitext-tiny
(train.csv -> train, test.csv -> valid) into cache/<name of the data directory>; so --train and
--output, which the job itself requires, are filled in here. With no data at all it falls back
to a synthetic corpus (a loud notice; LMSHARDS_SYNTHETIC=0 fails instead).

Examples:
  ./submit.sh                                   # the default data set -> cache/wikitext-tiny
  ./submit.sh --force                           # rebuild even if the cache is up to date
  ./submit.sh --train corpus/ --output cache/corpus   # relative paths: from the current directory

Runs through spark-submit when one is on the PATH or under \$SPARK_HOME, otherwise in-process in
Spark local mode (the first run builds spark-jobs/target/lmshards-spark.jar, 1 to 2 minutes; the
synthetic fallback also tools/target/lmshards-tools.jar, its generator).
Job defaults: conf/job.conf; Spark settings: conf/spark-defaults.conf; logging: conf/log4j2.properties.
Exit codes: 0 done or cache hit, 1 internal failure, 2 bad command line, 3 bad input.

Environment:
  LMSHARDS_DATA          data directory with train.csv (and test.csv) when no --train is given;
                         relative to the project root. A directory named here without train.csv
                         is an error (exit 3).
  LMSHARDS_SYNTHETIC=0   with no data found, fail (exit 3) instead of using the synthetic corpus
  LMSHARDS_SYNTHETIC_MB  size of the synthetic corpus (default 5)
  LMSHARDS_MASTER        Spark master, overriding spark.master of conf/spark-defaults.conf
  LMSHARDS_CONF_DIR      configuration directory (default conf/)
  LMSHARDS_LOCAL=1       run in-process even when spark-submit is available
  LMSHARDS_SUBMIT_ARGS   extra spark-submit arguments, e.g. "--deploy-mode client --conf k=v"
  LMSHARDS_JAVA_OPTS     extra JVM options in local mode
  LMSHARDS_LOG_LEVEL     the job's log level (default INFO; DEBUG for more)
  LMSHARDS_DEBUG=1       add the stack trace to an error message

EOF
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

# --help describes this script, then the job's own options; it never builds anything.
if has_option --help || has_option -h; then
  usage
  if [ -f "$APP_JAR" ] && [ -f "$CLASSPATH_FILE" ]; then
    echo "The job's options (--train and --output are optional here, see above):"
    java -cp "$APP_JAR:$(cat "$CLASSPATH_FILE")" "$MAIN_CLASS" --help
  else
    echo "The job's options are listed here once spark-jobs/target/lmshards-spark.jar is built (the first"
    echo "./submit.sh run builds it); until then see docs/SPARK.md."
  fi
  exit 0
fi

# --- default data set when no --train is given ---
synthetic=0
if [ "$help_only" = 0 ] && ! has_option --train; then
  if [ -n "${LMSHARDS_DATA:-}" ]; then
    data="$(abs_from_root "$LMSHARDS_DATA")"
    if [ ! -f "$data/train.csv" ]; then
      # a path the user named (and perhaps mistyped): never replaced by the synthetic fallback
      if [ -d "$data" ]; then problem="has no train.csv"; else problem="does not exist"; fi
      say "error: LMSHARDS_DATA=$LMSHARDS_DATA: $data $problem (relative paths are taken from the project root, $ROOT)"
      exit 3
    fi
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
    synthetic=1
    build_if_missing tools
    synth="$ROOT/cache/synthetic-csv"
    if [ "$SYNTH_MB" != 5 ]; then synth="$ROOT/cache/synthetic-csv-${SYNTH_MB}mb"; fi
    if [ ! -f "$synth/train.csv" ] || [ ! -f "$synth/test.csv" ]; then
      java -cp "$TOOLS_JAR" org.lmshards.tools.synth.SyntheticCorpusMain --out "$synth" --mb "$SYNTH_MB" --seed 42
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

# After a successful run: what to do with the dataset (the last --output the job got).
next_steps() {
  local out="" i jar="$ROOT/trainer/target/trainer.jar" name
  for ((i = 0; i < ${#job_args[@]}; i++)); do
    case "${job_args[$i]}" in
      --output) out="${job_args[$((i + 1))]:-}" ;;
      --output=*) out="${job_args[$i]#--output=}" ;;
    esac
  done
  case "$out" in
    file:*) out="${out#file:}" ;;
    *:/*) out="" ;;   # hdfs:, s3a:: trainer.jar reads local datasets only
  esac
  if [ "$PWD" = "$ROOT" ]; then
    jar="trainer/target/trainer.jar"
    out="${out#"$ROOT/"}"
  fi
  echo
  if [ -n "$out" ]; then
    name="$(basename "$out")"
    echo "next steps:"
    if [ ! -f "$ROOT/trainer/target/trainer.jar" ]; then
      echo "  mvn -B -ntp -DskipTests package      # in $ROOT: builds $jar (mvn verify builds it too), about 2 minutes"
    fi
    echo "  java -jar $jar verify --data $out"
    echo "  java -jar $jar train --data $out --out runs/$name --emb 32 --hidden 128 --layers 2 --epochs 2"
    echo "      # a small model, under a minute an epoch; the default AWD-LSTM size takes about 8 minutes an epoch on 2 cores"
  fi
  if [ "$synthetic" = 1 ]; then
    echo "SYNTHETIC data: ${out:-the output} is machine-generated filler (no real data was found), not language."
  fi
}

# Runs the job and passes its exit code through; after a success, says what comes next.
run_job() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" = 0 ]; then
    next_steps
  fi
  exit "$rc"
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
  run_job "${submit[@]}" "${job_args[@]+"${job_args[@]}"}"
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
run_job "${java_cmd[@]}" "${job_args[@]+"${job_args[@]}"}"
