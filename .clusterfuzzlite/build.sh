#!/bin/bash -eu
# ClusterFuzzLite build: fuzz/build.sh does it all with the base image's
# $CC, $CFLAGS, $LIB_FUZZING_ENGINE and $OUT (targets, seed corpora, dictionaries).
exec "$SRC/faultline/fuzz/build.sh"
