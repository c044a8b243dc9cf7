#!/bin/bash -eu
# .clusterfuzzlite/build.sh: ClusterFuzzLite / OSS-Fuzz entry point; everything is in
# fuzz/build.sh, which honours $CC $CXX $CFLAGS $LIB_FUZZING_ENGINE $OUT $SRC.
exec "$SRC/smtp-harness/fuzz/build.sh"
